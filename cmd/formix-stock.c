/* formix-stock.c */
