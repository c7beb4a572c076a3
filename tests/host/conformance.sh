#!/bin/bash
# The conformance scenarios parse and their policies pass `bulwark check`,
# here on the build machine; they run against the kernel in the VM suite
# tests/vm/conformance.sh. Prints TAP.
exec "$(dirname "$0")/../conformance/run" --check
