/*
 * claim1c.c -- claim line statuses 1C sends back (formix-xml(5)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

int
fx_claim1c_import(struct fx_ctx *ctx, struct fx_txn *txn, const char *path,
    struct fx_import_stats *st, struct fx_err *err)
{
	(void)ctx;
	(void)txn;
	(void)st;
	return fx_err_setloc(err, FX_EDATA, path, 0, 0, "not yet");
}
