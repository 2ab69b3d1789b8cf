/* SPDX-License-Identifier: GPL-2.0 */
/* netoops.ko: declarations shared by its source files. */
#ifndef _NETOOPS_H
#define _NETOOPS_H

#include <linux/configfs.h>
#include <linux/kobject.h>
#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netpoll.h>
#include <linux/skbuff.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <netoops/wire.h>
#include <netoops/wire_fec.h>
#include <netoops/wire_auth.h>
#include <netoops/wire_frame.h>

/* Frames one target may have in flight; also the pacing window. */
#define NETOOPS_SKB_POOL	32
/* Real NICs below one target's device (bridge ports, bond slaves) that are polled. */
#define NETOOPS_MAX_LEAVES	8

enum netoops_reason {
	NETOOPS_OOPS,
	NETOOPS_PANIC,
	NETOOPS_OOM,
	NETOOPS_TEST,
	NETOOPS_EMERG,
	NETOOPS_SHUTDOWN,
	NETOOPS_NR_REASONS,
};

/**
 * struct netoops_target - one collector the dumps are sent to
 * @item:	configfs item; owns the memory once the target is in configfs
 * @list:	in netoops_targets; protected by netoops_config_mutex
 * @active:	in netoops_active (RCU list read by the crash path);
 *		written under netoops_active_lock
 * @name:	cmdlineN for targets from the netoops= parameter, else the
 *		configfs name
 * @in_configfs: @item is live (created by mkdir)
 * @enabled:	netpoll is set up and the skbs are allocated
 * @linked:	on netoops_active; protected by netoops_active_lock
 * @dev_gone:	the device went away; the cleanup work disables the target
 * @follow:	with @dev_gone: the device was enslaved, the target moves to
 *		its master (written under netoops_active_lock)
 *
 * The configuration fields change only while the target is disabled, under
 * netoops_config_mutex. @np and @src_ip (the source address in use) are set
 * when the target is enabled; @skbs .. @mtu_need belong to the dump in progress
 * (serialised by the dump guard in dump.c).
 */
struct netoops_target {
	struct config_item item;
	struct list_head list;
	struct list_head active;
	char name[32];
	bool in_configfs;
	bool enabled;
	bool linked;
	bool dev_gone;
	bool follow;

	char dev_name[IFNAMSIZ];
	bool ipv6;
	bool local_ipv6;
	bool local_ip_set;
	bool remote_ip_set;
	union inet_addr local_ip;
	union inet_addr remote_ip;
	u16 local_port;
	u16 remote_port;
	u8 remote_mac[ETH_ALEN] __aligned(2);

	struct netpoll np;
	union inet_addr src_ip;
	struct sk_buff *skbs[NETOOPS_SKB_POOL];
	struct sk_buff_head spare;
	unsigned int skb_next;
	unsigned int skb_size;
	unsigned int headroom;
	unsigned int mtu_need;
	unsigned int fails;
	u16 ip_id;

	atomic_long_t dumps_sent;
	atomic_long_t datagrams_sent;
	atomic_long_t transmit_errors;
};

/* main.c: the global knobs, read by the dump path without locks. */
struct netoops_settings {
	unsigned int dump_bytes;
	unsigned int copies;
	unsigned int fec;		/* parity per 100 parts, 0..100 */
	unsigned long reasons;		/* BIT(enum netoops_reason) */
	bool record_oom;
	unsigned int oom_interval;	/* seconds */
	u8 boot_id[16];
};

extern struct netoops_settings netoops_settings;
extern struct mutex netoops_config_mutex;
extern struct list_head netoops_active;
extern struct srcu_struct netoops_srcu;

const char *netoops_reason_name(enum netoops_reason reason);

/* target.c; callers hold netoops_config_mutex except for _init and _exit */
int netoops_targets_init(const char *param);
void netoops_targets_exit(void);
struct netoops_target *netoops_target_get(const char *name);
void netoops_target_remove(struct netoops_target *nt);
int netoops_target_enable(struct netoops_target *nt, bool must_be_up);
void netoops_target_disable(struct netoops_target *nt);
void netoops_target_dev_name(struct netoops_target *nt, char *name);
int netoops_parse_ip(const char *s, union inet_addr *addr, bool *ipv6);
int netoops_parse_port(const char *s, u16 *port);
int netoops_parse_mac(const char *s, u8 *mac);
int netoops_parse_dev(const char *s, char *name);

/* configfs.c */
int netoops_configfs_init(void);
void netoops_configfs_exit(void);

/* dump.c */
int netoops_dump_init(void);
void netoops_dump_exit(void);
int netoops_dump_resize(unsigned int bytes);
int netoops_dump_test(void);
void netoops_dump_stop_task(void);

/*
 * frame.c: the dump's identity; the header lines and the cutting are the
 * shared include/netoops/wire_frame.h (struct netoops_frame).
 */
void netoops_frame_identify(struct netoops_frame *f);

/* fec.c: parity datagrams (wire_fec.h) from buffers allocated at load. */
int netoops_fec_init(void);
void netoops_fec_exit(void);
void netoops_fec_start(const struct netoops_frame *f, u32 pct);
int netoops_fec_next_datagram(const struct netoops_frame *f, char *hdr,
			      size_t size, const char **payload,
			      unsigned int *plen);
u64 netoops_fec_last_ns(void);
/* auth.c: the host key (sysfs netoops_key, write-only) and the crypto of wire_auth.h. */
#define NETOOPS_AUTH_NR_ATTRS	3
extern struct kobj_attribute netoops_auth_attrs[NETOOPS_AUTH_NR_ATTRS];
bool netoops_auth_snapshot(struct netoops_auth_keys *k);
void netoops_auth_exit(void);

/* tx.c: frames into preallocated skbs, out through netpoll. */
int netoops_tx_alloc(struct netoops_target *nt);
void netoops_tx_free(struct netoops_target *nt);
void netoops_tx_refill(struct netoops_target *nt);
void netoops_tx_flush(struct netoops_target *nt);
int netoops_tx_send(struct netoops_target *nt, const char *hdr,
		    unsigned int hlen, const char *text, unsigned int tlen);

#endif /* _NETOOPS_H */
