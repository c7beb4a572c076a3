# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for the two parsers of untrusted input: the YAML policy
# compiler and the policy image decoder (with the decision core and the
# translation into BPF map entries behind it).
# Included by the top-level Makefile, which defines BUILD, CLANG, CPPFLAGS
# and PKG_CONFIG.
#
#   make fuzz          FUZZ_SECONDS (300) per fuzzer; the corpus grows in
#                      $(BUILD)/fuzz/corpus-*, crashes land in $(BUILD)/fuzz/crashes/
#   make fuzz-smoke    FUZZ_SMOKE_SECONDS (10) per fuzzer, prints TAP (make check)

FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TIMEOUT ?= 10
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers
FUZZ_HEADERS = $(CONTROLLER_HDRS) $(wildcard kmod/core/*.h kmod/include/uapi/linux/*.h lsm-bpf/*.h) \
	tests/fuzz/exercise.h

# Only what the compiler front end and back end need: no libbpf, no libnl.
FUZZ_CORE_SRCS := kmod/core/image.c kmod/core/decide.c tests/fuzz/exercise.c
FUZZ_POLICY_SRCS := tests/fuzz/fuzz_policy.c tests/fuzz/trust_off.c \
	$(addprefix controller/policy/,policy_parse.c policy.c policy_check.c policy_syntax.c \
		diag.c dpkg.c image_write.c) controller/xalloc.c \
	$(FUZZ_CORE_SRCS)
FUZZ_IMAGE_SRCS := tests/fuzz/fuzz_image.c controller/backend/translate.c $(FUZZ_CORE_SRCS)

.PHONY: fuzz-build fuzz fuzz-smoke

fuzz-build: $(FUZZ_DIR)/fuzz_policy $(FUZZ_DIR)/fuzz_image

$(FUZZ_DIR)/fuzz_policy: $(FUZZ_POLICY_SRCS) $(FUZZ_HEADERS)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) $(shell $(PKG_CONFIG) --cflags yaml-0.1) $(FUZZ_FLAGS) \
		$(FUZZ_POLICY_SRCS) -o $@ $(shell $(PKG_CONFIG) --libs yaml-0.1)

$(FUZZ_DIR)/fuzz_image: $(FUZZ_IMAGE_SRCS) $(FUZZ_HEADERS)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZ_FLAGS) $(FUZZ_IMAGE_SRCS) -o $@

# Long runs keep what they learn in $(BUILD)/fuzz/corpus-*, seeded from the
# tree's corpus, which they never write to.
fuzz: fuzz-build controller
	$(Q)rc=0; mkdir -p $(FUZZ_DIR)/crashes; for f in policy image; do \
		mkdir -p $(FUZZ_DIR)/corpus-$$f; \
		cp tests/fuzz/corpus/$$f/* $(FUZZ_DIR)/corpus-$$f/; \
		tests/fuzz/seed-from-policies $$f $(FUZZ_DIR)/corpus-$$f; \
		echo "== fuzz_$$f for $(FUZZ_SECONDS)s"; \
		$(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
			-dict=tests/fuzz/$$f.dict -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crashes/fuzz_$$f- $(FUZZ_DIR)/corpus-$$f || rc=1; \
	done; exit $$rc

fuzz-smoke: fuzz-build controller
	$(Q)FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) tests/fuzz/run-smoke \
		$(FUZZ_DIR)
