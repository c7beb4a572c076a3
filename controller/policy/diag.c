// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>

#include "diag.h"

void diag_init(struct diag *diag, FILE *out)
{
	diag->errors = 0;
	diag->warnings = 0;
	diag->shown = 0;
	diag->limit = 100;
	diag->out = out;
}

static void report(struct diag *diag, const struct source_loc *loc, const char *kind,
		   const char *fmt, va_list args)
{
	if (loc->line)
		fprintf(diag->out, "%s:%u:%u: %s: ", loc->file, loc->line, loc->col, kind);
	else
		fprintf(diag->out, "%s: %s: ", loc->file, kind);
	vfprintf(diag->out, fmt, args);
	fputc('\n', diag->out);
}

void diag_error(struct diag *diag, const struct source_loc *loc, const char *fmt, ...)
{
	va_list args;

	diag->errors++;
	if (!diag->out || (diag->limit && diag->shown >= diag->limit))
		return;
	diag->shown++;
	va_start(args, fmt);
	report(diag, loc, "error", fmt, args);
	va_end(args);
	if (diag->limit && diag->shown == diag->limit)
		fprintf(diag->out, "(stopping after %u errors)\n", diag->limit);
}

/* Every warning is shown: each one names a file that will not run. */
void diag_warning(struct diag *diag, const struct source_loc *loc, const char *fmt, ...)
{
	va_list args;

	diag->warnings++;
	if (!diag->out)
		return;
	va_start(args, fmt);
	report(diag, loc, "warning", fmt, args);
	va_end(args);
}
