/* ctx.c: not yet written */
