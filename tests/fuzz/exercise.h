/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the fuzzers: run the decision core over a decoded image and
 * abort() when a verdict breaks what decide.h promises, so a wrong answer
 * is caught like a crash, not only an out-of-bounds read.
 */
#ifndef BULWARK_FUZZ_EXERCISE_H
#define BULWARK_FUZZ_EXERCISE_H

#include "core/image.h"

void fuzz_exercise_image(const struct bulwark_image *image);

/* Prints @what to stderr and aborts: libFuzzer then saves the input. */
__attribute__((noreturn)) void fuzz_fail(const char *what);

#endif /* BULWARK_FUZZ_EXERCISE_H */
