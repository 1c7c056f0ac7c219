/*
 * hash.c -- SHA-256 of files (libcrypto), the identity of an applied file:
 * the same bytes applied twice are recognised whatever their name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fx-int.h"

int
fx_sha256_file(const char *path, char out[65], struct fx_err *err)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *md_ctx;
	ssize_t n;
	int fd, rc = -1;

	if (fx_lazy_load(FX_LAZY_CRYPTO, err) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fx_err_sys(err, FX_ENOINPUT, "cannot open");
		fx_strlcpy(err->file, path, sizeof(err->file));
		return -1;
	}
	if ((md_ctx = EVP_MD_CTX_new()) == NULL) {
		close(fd);
		return fx_err_set(err, FX_ESOFTWARE, "sha256: out of memory");
	}
	if (EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) != 1) {
		fx_err_set(err, FX_ESOFTWARE, "sha256: init failed");
		goto out;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fx_err_sys(err, FX_EIO, "read");
			fx_strlcpy(err->file, path, sizeof(err->file));
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md_ctx, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(md_ctx, md, &mdlen);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
	rc = 0;
out:
	EVP_MD_CTX_free(md_ctx);
	close(fd);
	return rc;
}

int
fx_sha256_buf(const void *data, size_t len, char out[65], struct fx_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (fx_lazy_load(FX_LAZY_CRYPTO, err) == -1)
		return -1;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return fx_err_set(err, FX_ESOFTWARE, "sha256 failed");
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
	return 0;
}
