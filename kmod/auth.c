// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the host key (write-only) and the crypto of sealed datagrams, from lib/crypto. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "compat.h"
#include "netoops.h"

/*
 * The keys live in two slots; auth_cur says which one is live (-1: none).
 * A writer (sysfs, under netoops_config_mutex) fills the other slot, makes
 * it live, waits for both kinds of dump readers (the crash path runs with
 * preemption off, so synchronize_rcu() covers it; process-context dumps
 * hold netoops_srcu) and only then wipes the old slot. A dump copies the
 * live slot once, at its start (netoops_auth_snapshot()), and wipes its
 * copy at its end: no lock on the crash path, and no key left behind.
 */
static struct netoops_auth_keys auth_slot[2];
static int auth_cur = -1;
static bool auth_encrypt;

/* ---- the primitives include/netoops/wire_auth.h asks for ---- */

void netoops_auth_blake2s(const u8 key[NETOOPS_AUTH_KEY_LEN], u8 *out,
			  size_t outlen, const struct netoops_auth_piece *in,
			  unsigned int n)
{
	struct netoops_blake2s_ctx ctx;
	unsigned int i;

	blake2s_init_key(&ctx, outlen, key, NETOOPS_AUTH_KEY_LEN);
	for (i = 0; i < n; i++)
		blake2s_update(&ctx, in[i].p, in[i].n);
	blake2s_final(&ctx, out);
}

/*
 * chacha_block_generic() is built into every supported kernel (the
 * chacha_crypt() helpers are in modules): the keystream block by block,
 * the counter set for each, XORed here. No SIMD, so any context will do.
 */
void netoops_auth_chacha20(const u8 key[NETOOPS_AUTH_KEY_LEN],
			   const u8 nonce[NETOOPS_AUTH_NONCE_LEN],
			   const u8 *in, u8 *out, size_t len)
{
	struct netoops_chacha_state st;
	u8 block[CHACHA_BLOCK_SIZE];
	u32 *x = st.x;
	size_t done, i, n;
	int w;

	x[0] = 0x61707865;	/* "expand 32-byte k" */
	x[1] = 0x3320646e;
	x[2] = 0x79622d32;
	x[3] = 0x6b206574;
	for (w = 0; w < 8; w++)
		x[4 + w] = get_unaligned_le32(key + 4 * w);
	for (w = 0; w < 3; w++)
		x[13 + w] = get_unaligned_le32(nonce + 4 * w);
	for (done = 0; done < len; done += n) {
		x[12] = done / CHACHA_BLOCK_SIZE;
		netoops_chacha20_block(&st, block);
		n = min_t(size_t, len - done, CHACHA_BLOCK_SIZE);
		for (i = 0; i < n; i++)
			out[done + i] = in[done + i] ^ block[i];
	}
	memzero_explicit(block, sizeof(block));
	memzero_explicit(&st, sizeof(st));
}

/* ---- the keys ---- */

/**
 * netoops_auth_snapshot() - the keys for one dump
 * @k:	gets a copy of the live keys
 *
 * Return: true when a key is installed (@k is then to be wiped with
 * memzero_explicit() after the dump), false to send unauthenticated.
 */
bool netoops_auth_snapshot(struct netoops_auth_keys *k)
{
	/* Pairs with auth_install()'s release: the slot is whole once live. */
	int cur = smp_load_acquire(&auth_cur);

	if (cur < 0)
		return false;
	memcpy(k, &auth_slot[cur], sizeof(*k));
	return true;
}

/* Makes @host_key (NULL: none) live and wipes the old slot. Under netoops_config_mutex. */
static void auth_install(const u8 *host_key, bool encrypt)
{
	int old = auth_cur, next = old == 0 ? 1 : 0;

	if (host_key) {
		netoops_auth_set_key(&auth_slot[next], host_key);
		auth_slot[next].encrypt = encrypt;
	}
	/* Release: a dump that sees the new index sees its slot filled. */
	smp_store_release(&auth_cur, host_key ? next : -1);
	if (old < 0)
		return;
	synchronize_rcu();
	synchronize_srcu(&netoops_srcu);
	memzero_explicit(&auth_slot[old], sizeof(auth_slot[old]));
}

/* "netoops_key": 64 hex digits install a host key, "none" removes it. Never readable. */
static ssize_t netoops_key_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	u8 key[NETOOPS_AUTH_KEY_LEN];
	size_t n = count;

	if (n && buf[n - 1] == '\n')
		n--;
	if (n == 4 && !memcmp(buf, "none", 4)) {
		mutex_lock(&netoops_config_mutex);
		auth_install(NULL, false);
		mutex_unlock(&netoops_config_mutex);
		pr_info("host key removed: datagrams are sent unauthenticated\n");
		return count;
	}
	if (n != 2 * sizeof(key) || hex2bin(key, buf, sizeof(key))) {
		memzero_explicit(key, sizeof(key));
		pr_err("netoops_key: expected 64 hex digits (netoopsctl key install) or none\n");
		return -EINVAL;
	}
	mutex_lock(&netoops_config_mutex);
	auth_install(key, auth_encrypt);
	mutex_unlock(&netoops_config_mutex);
	memzero_explicit(key, sizeof(key));
	pr_info("host key installed: every datagram carries a MAC%s\n",
		auth_encrypt ? " and is encrypted" : "");
	return count;
}

static ssize_t netoops_key_installed_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(auth_cur) >= 0);
}

static ssize_t netoops_encrypt_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(auth_encrypt));
}

/* Takes effect for the key in use too: it is installed again with the new setting. */
static ssize_t netoops_encrypt_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	u8 key[NETOOPS_AUTH_KEY_LEN];
	int cur;
	bool v;

	if (kstrtobool(buf, &v))
		return -EINVAL;
	mutex_lock(&netoops_config_mutex);
	WRITE_ONCE(auth_encrypt, v);
	cur = auth_cur;
	if (cur >= 0) {
		memcpy(key, auth_slot[cur].mac, sizeof(key));
		auth_install(key, v);
		memzero_explicit(key, sizeof(key));
	}
	mutex_unlock(&netoops_config_mutex);
	return count;
}

struct kobj_attribute netoops_auth_attrs[NETOOPS_AUTH_NR_ATTRS] = {
	__ATTR(netoops_key, 0200, NULL, netoops_key_store),
	__ATTR(netoops_key_installed, 0444, netoops_key_installed_show, NULL),
	__ATTR(netoops_encrypt, 0644, netoops_encrypt_show,
	       netoops_encrypt_store),
};

/* Module unload: no key survives it. */
void netoops_auth_exit(void)
{
	WRITE_ONCE(auth_cur, -1);
	memzero_explicit(auth_slot, sizeof(auth_slot));
}
