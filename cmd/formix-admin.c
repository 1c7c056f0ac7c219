/* formix-admin.c */
