/* fsrtp.c: fast outbound SRTP (AEAD_AES_128_GCM RTP, RFC 7714) with OpenSSL for the bridge. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fsrtp.h"

struct fsrtp {
	EVP_CIPHER_CTX *ctx;
	uint8_t salt[12];
	uint32_t roc;
	uint16_t last_seq;
	bool init;
};

/* RFC 3711 4.3: n bytes of the AES-CM PRF for label: the IV is the master
 * salt (12 bytes, zero-padded to 14 as libsrtp does for the GCM suites)
 * with the label XORed at byte 7, the block counter in the last 2 bytes */
static int kdf(const uint8_t *mkey, const uint8_t *msalt, uint8_t label, uint8_t *out, size_t n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = { 0 }, zero[32] = { 0 };
	int l = 0, ok;

	if (!c || n > sizeof(zero))
		return -ENOMEM;
	memcpy(iv, msalt, 12);
	iv[7] ^= label;
	ok = EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, mkey, iv) == 1 &&
	     EVP_EncryptUpdate(c, out, &l, zero, (int)n) == 1 && (size_t)l == n;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EIO;
}

int fsrtp_new(struct fsrtp **ret, const uint8_t *master, size_t len)
{
	struct fsrtp *f;
	uint8_t key[16];
	int r;

	if (len != FSRTP_GCM_KEY_LEN)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->ctx = EVP_CIPHER_CTX_new();
	r = f->ctx ? 0 : -ENOMEM;
	if (r == 0)
		r = kdf(master, master + 16, 0x00, key, 16);
	if (r == 0)
		r = kdf(master, master + 16, 0x02, f->salt, 12);
	if (r == 0 && EVP_EncryptInit_ex(f->ctx, EVP_aes_128_gcm(), NULL, key, NULL) != 1)
		r = -EIO;
	memset(key, 0, sizeof(key));
	if (r < 0) {
		fsrtp_free(f);
		return r;
	}
	*ret = f;
	return 0;
}

struct fsrtp *fsrtp_free(struct fsrtp *f)
{
	if (!f)
		return NULL;
	EVP_CIPHER_CTX_free(f->ctx);
	memset(f, 0, sizeof(*f));
	free(f);
	return NULL;
}

int fsrtp_protect(struct fsrtp *f, uint8_t *pkt, size_t len, size_t cap, size_t *ret_len)
{
	size_t hl;
	uint16_t seq;
	uint32_t roc;
	uint8_t iv[12];
	int l;

	if (len < 12 || (pkt[0] >> 6) != 2 || len > 65535)
		return -EINVAL;
	hl = 12 + 4 * (size_t)(pkt[0] & 0x0f);
	if (pkt[0] & 0x10) {
		if (hl + 4 > len)
			return -EINVAL;
		hl += 4 + 4 * ((size_t)pkt[hl + 2] << 8 | pkt[hl + 3]);
	}
	if (hl > len)
		return -EINVAL;
	if (cap < len + FSRTP_GCM_TAG)
		return -ENOBUFS;
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (!f->init) {
		f->init = true;
		f->roc = 0;
		f->last_seq = seq;
		roc = 0;
	} else if ((int16_t)(seq - f->last_seq) > 0) {
		if (seq < f->last_seq)
			f->roc++;
		f->last_seq = seq;
		roc = f->roc;
	} else if (seq > f->last_seq) {
		/* older, from before the last wrap */
		if (!f->roc)
			return -EINVAL;
		roc = f->roc - 1;
	} else {
		roc = f->roc;
	}
	/* RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the session salt */
	iv[0] = iv[1] = 0;
	memcpy(iv + 2, pkt + 8, 4);
	iv[6] = (uint8_t)(roc >> 24);
	iv[7] = (uint8_t)(roc >> 16);
	iv[8] = (uint8_t)(roc >> 8);
	iv[9] = (uint8_t)roc;
	iv[10] = pkt[2];
	iv[11] = pkt[3];
	for (int i = 0; i < 12; i++)
		iv[i] ^= f->salt[i];
	if (EVP_EncryptInit_ex(f->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(f->ctx, NULL, &l, pkt, (int)hl) != 1 ||
	    (len > hl && EVP_EncryptUpdate(f->ctx, pkt + hl, &l, pkt + hl, (int)(len - hl)) != 1) ||
	    EVP_EncryptFinal_ex(f->ctx, pkt + len, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(f->ctx, EVP_CTRL_GCM_GET_TAG, FSRTP_GCM_TAG, pkt + len) != 1)
		return -EIO;
	*ret_len = len + FSRTP_GCM_TAG;
	return 0;
}
