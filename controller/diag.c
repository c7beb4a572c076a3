// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>

#include "diag.h"

void diag_init(struct diag *diag, FILE *out)
{
	diag->errors = 0;
	diag->shown = 0;
	diag->limit = 100;
	diag->out = out;
}

void diag_error(struct diag *diag, const struct source_loc *loc, const char *fmt, ...)
{
	va_list args;

	diag->errors++;
	if (!diag->out || (diag->limit && diag->shown >= diag->limit))
		return;
	diag->shown++;
	if (loc->line)
		fprintf(diag->out, "%s:%u:%u: error: ", loc->file, loc->line, loc->col);
	else
		fprintf(diag->out, "%s: error: ", loc->file);
	va_start(args, fmt);
	vfprintf(diag->out, fmt, args);
	va_end(args);
	fputc('\n', diag->out);
	if (diag->limit && diag->shown == diag->limit)
		fprintf(diag->out, "(stopping after %u errors)\n", diag->limit);
}
