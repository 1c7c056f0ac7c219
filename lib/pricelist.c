/* pricelist.c: not yet written */
