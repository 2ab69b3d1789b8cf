// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: Ethernet + IPv4/IPv6 + UDP frames in preallocated skbs, sent through netpoll. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include "netoops.h"

#define TX_POLL_US	20
/* Longest wait for a free skb or room in the TX ring, per datagram. */
#define TX_WAIT_US	50000
/* Link-layer room beyond the target device's own, for what devices below it add. */
#define TX_STACK_HEADROOM	64
/*
 * Fresh skbs for paths that may not share skbs: used before allocating; from
 * NMI, the only ones for such devices other than VLANs and bonds.
 */
#define TX_SPARE_POOL	64

/*
 * skbs handed to a device that must own them (consume mode, below) and not
 * yet freed. One counter for all targets: dumps are serialised by the dump
 * guard, and netoops_tx_free() waits for it before the module can go.
 */
static atomic_t tx_inflight = ATOMIC_INIT(0);

static void tx_consumed(struct sk_buff *skb)
{
	atomic_dec(&tx_inflight);
}

/**
 * struct tx_path - the devices a frame to a target crosses
 * @leaf:	the lowest devices (no device below them): the real NICs
 *		under a bridge, bond or VLAN, or the target's device itself
 * @nleaves:	how many of @leaf are set
 * @need:	link-layer headroom the deepest device needs
 * @share:	every device on the way allows shared skbs
 *		(IFF_TX_SKB_SHARING; bonds and VLANs clear it), or this is NMI
 *		context and @nmi_share holds
 * @nmi_share:	every device on the way that does not allow sharing is a
 *		VLAN or a bond, which take a pool skb safely (netoops_tx_alloc())
 *
 * Resolved under RCU for every datagram, so a change of the stack (a port
 * added, a bond failing over) is followed at once.
 */
struct tx_path {
	struct net_device *leaf[NETOOPS_MAX_LEAVES];
	unsigned int nleaves;
	unsigned int need;
	bool share;
	bool nmi_share;
};

static void tx_path_add(struct tx_path *path, struct net_device *dev)
{
	unsigned int need = LL_RESERVED_SPACE(dev);

	if (is_vlan_dev(dev))
		need += VLAN_HLEN;	/* a tag the device below may push */
	path->need = max(path->need, need);
	if (!(dev->priv_flags & IFF_TX_SKB_SHARING)) {
		path->share = false;
		if (!is_vlan_dev(dev) && !netif_is_bond_master(dev))
			path->nmi_share = false;
	}
	if (list_empty(&dev->adj_list.lower) &&
	    path->nleaves < NETOOPS_MAX_LEAVES)
		path->leaf[path->nleaves++] = dev;
}

static int tx_path_lower(struct net_device *dev,
			 struct netdev_nested_priv *priv)
{
	tx_path_add(priv->data, dev);
	return 0;
}

/* Caller holds rcu_read_lock() or has interrupts off. */
static void tx_path_resolve(struct net_device *dev, struct tx_path *path)
{
	struct netdev_nested_priv priv = { .data = path };

	path->nleaves = 0;
	path->need = 0;
	path->share = true;
	path->nmi_share = true;
	tx_path_add(path, dev);
	netdev_walk_all_lower_dev_rcu(dev, tx_path_lower, &priv);
	if (!path->share && path->nmi_share && in_nmi())
		path->share = true;
}

static void tx_skb_free(struct sk_buff **skb)
{
	consume_skb(*skb);
	*skb = NULL;
}

/*
 * The crash path must not allocate, so each target owns NETOOPS_SKB_POOL
 * skbs for as long as it is enabled. On a path that allows sharing, an skb
 * is handed to netpoll with an extra reference: the driver's free then only
 * drops it back to one, and the skb, no longer seen by anyone else (no
 * clone either: a bridge clones to flood), is rebuilt for the next
 * datagram. A path that does not allow sharing gets skbs of its own that it
 * frees (consume mode): TX_SPARE_POOL preallocated ones, then, outside NMI,
 * GFP_ATOMIC allocations as netconsole makes them.
 *
 * From NMI, where nothing may be allocated, a path whose only devices that
 * do not allow sharing are VLANs and bonds takes pool skbs as well. They
 * clear IFF_TX_SKB_SHARING because they change the skb on the way (dev,
 * queue mapping, the VLAN tag, pushed into the data when the NIC does not
 * insert it; tlb/alb rewrite the source MAC), which would hurt a sender
 * that transmits one skb several times at once (pktgen). netoops hands an
 * skb over only once nobody else holds it, rebuilds it from scratch, and
 * reserves the headroom every device below needs, so the tag push never
 * reallocates the head (pskb_expand_head() would BUG() on a shared skb).
 * Other devices that clear the flag (team, macvlan, ...) are not known to
 * be safe: on those, NMI context has the spare skbs only.
 */
int netoops_tx_alloc(struct netoops_target *nt)
{
	struct net_device *dev = nt->np.dev;
	struct sk_buff *skb;
	unsigned int i;

	nt->headroom = LL_RESERVED_SPACE(dev) + TX_STACK_HEADROOM +
		       sizeof(struct ipv6hdr) + sizeof(struct udphdr);
	nt->skb_size = nt->headroom + NETOOPS_MAX_DATAGRAM +
		       dev->needed_tailroom;
	skb_queue_head_init(&nt->spare);
	for (i = 0; i < NETOOPS_SKB_POOL + TX_SPARE_POOL; i++) {
		skb = alloc_skb(nt->skb_size, GFP_KERNEL);
		if (!skb) {
			netoops_tx_free(nt);
			return -ENOMEM;
		}
		if (i < NETOOPS_SKB_POOL)
			nt->skbs[i] = skb;
		else
			__skb_queue_tail(&nt->spare, skb);
	}
	nt->skb_next = 0;
	nt->mtu_need = NETOOPS_MAX_DATAGRAM + sizeof(struct udphdr) +
		(nt->ipv6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr));
	return 0;
}

/*
 * Tops the spare skbs up again after a dump in process context used them.
 * The caller holds the dump guard: the spare queue is only ever touched
 * under it, without its spinlock, which an NMI could find held.
 */
void netoops_tx_refill(struct netoops_target *nt)
{
	struct sk_buff *skb;

	while (skb_queue_len(&nt->spare) < TX_SPARE_POOL) {
		skb = alloc_skb(nt->skb_size, GFP_KERNEL);
		if (!skb)
			return;
		__skb_queue_tail(&nt->spare, skb);
	}
}

/*
 * Drops our references; an skb still in a TX ring is freed by its driver.
 * skbs in consume mode call back into this module when freed: wait (2 s at
 * most) until the drivers have let go of them.
 */
void netoops_tx_free(struct netoops_target *nt)
{
	unsigned int i;

	for (i = 0; i < NETOOPS_SKB_POOL; i++)
		tx_skb_free(&nt->skbs[i]);
	__skb_queue_purge(&nt->spare);
	for (i = 0; i < 100 && atomic_read(&tx_inflight); i++)
		msleep(20);
	if (atomic_read(&tx_inflight))
		pr_warn("target %s: %d frames still held by a driver\n",
			nt->name, atomic_read(&tx_inflight));
}

/*
 * Reaps finished transmissions on the real NICs: the poll controllers of
 * bridges and VLANs are empty and they have no NAPI. netpoll_poll_dev()
 * only trylocks. With BHs disabled, so that the driver's TX-free path only
 * marks NET_TX pending instead of waking ksoftirqd, which takes this CPU's
 * runqueue lock: the crash may have happened with that lock held.
 */
static bool tx_bh_off(void)
{
	if (in_hardirq())	/* NMI too: in_interrupt() holds already */
		return false;
	local_bh_disable();
	return true;
}

/* Interrupts are off: the softirqs that were raised run later, not here. */
static void tx_bh_on(bool off)
{
	if (off)
		_local_bh_enable();
}

static void tx_poll(const struct tx_path *path)
{
	bool bh = tx_bh_off();
	unsigned int i;

	for (i = 0; i < path->nleaves; i++)
		netpoll_poll_dev(path->leaf[i]);
	tx_bh_on(bh);
	udelay(TX_POLL_US);
}

/* An skb of the pool that nobody else holds, not even through a clone. */
static bool tx_skb_idle(struct sk_buff *skb)
{
	if (refcount_read(&skb->users) != 1 || skb_cloned(skb))
		return false;
	/* pairs with the driver's release */
	smp_rmb();
	return true;
}

/* The least recently used skb of the pool once the stack has let go of it. */
static struct sk_buff *tx_get_shared(struct netoops_target *nt,
				     const struct tx_path *path)
{
	unsigned int waited, i, n;

	for (waited = 0; waited < TX_WAIT_US; waited += TX_POLL_US) {
		for (i = 0; i < NETOOPS_SKB_POOL; i++) {
			n = (nt->skb_next + i) % NETOOPS_SKB_POOL;
			if (tx_skb_idle(nt->skbs[n])) {
				nt->skb_next = (n + 1) % NETOOPS_SKB_POOL;
				return nt->skbs[n];
			}
		}
		tx_poll(path);
	}
	return NULL;
}

/* An skb the path will own: a spare one, else (not from NMI) a new one. */
static struct sk_buff *tx_get_owned(struct netoops_target *nt)
{
	struct sk_buff *skb = __skb_dequeue(&nt->spare);

	if (!skb && !in_nmi())
		skb = alloc_skb(nt->skb_size, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	skb->destructor = tx_consumed;
	atomic_inc(&tx_inflight);
	return skb;
}

/* How many frames the stack still holds for this target. */
static unsigned int tx_busy(struct netoops_target *nt, bool share)
{
	unsigned int i, busy = 0;

	if (!share)
		return atomic_read(&tx_inflight);
	for (i = 0; i < NETOOPS_SKB_POOL; i++)
		busy += !tx_skb_idle(nt->skbs[i]);
	return busy;
}

/**
 * netoops_tx_flush() - wait until the devices have sent every frame
 * @nt:		an enabled target
 *
 * A frame the driver accepted may still sit in its TX ring; after a panic
 * the machine stops or reboots right after the dump, so the dump waits,
 * polling the real NICs, until the stack has let go of every skb.
 */
void netoops_tx_flush(struct netoops_target *nt)
{
	struct tx_path path;
	unsigned int waited;
	unsigned long flags;

	local_irq_save(flags);
	rcu_read_lock();
	tx_path_resolve(nt->np.dev, &path);
	for (waited = 0; waited < TX_WAIT_US; waited += TX_POLL_US) {
		if (!tx_busy(nt, path.share))
			break;
		tx_poll(&path);
	}
	rcu_read_unlock();
	local_irq_restore(flags);
}

/* A real NIC that can transmit now: an idle backup slave is skipped. */
static bool tx_leaf_live(struct net_device *dev)
{
	return netif_running(dev) && netif_device_present(dev) &&
	       netif_carrier_ok(dev);
}

static bool tx_leaves_stopped(const struct tx_path *path)
{
	unsigned int i, q;

	for (i = 0; i < path->nleaves; i++) {
		if (!tx_leaf_live(path->leaf[i]))
			continue;
		for (q = 0; q < path->leaf[i]->real_num_tx_queues; q++)
			if (netif_xmit_stopped(netdev_get_tx_queue(path->leaf[i], q)))
				return true;
	}
	return false;
}

/*
 * netpoll retries a busy ring only until the next tick and then queues the
 * skb to a work item, which never runs after a panic. Waiting here until the
 * real NICs' rings have room keeps every datagram on the direct path; an
 * upper device (bridge, bond, VLAN) has no queue of its own that would stop.
 */
static bool tx_ring_room(const struct tx_path *path)
{
	unsigned int waited;

	for (waited = 0; waited < TX_WAIT_US; waited += TX_POLL_US) {
		if (!tx_leaves_stopped(path))
			return true;
		tx_poll(path);
	}
	return false;
}

/* Frames netpoll deferred to its work item, on the target's device or below. */
static unsigned int tx_deferred(struct net_device *dev,
				const struct tx_path *path)
{
	struct netpoll_info *npinfo;
	unsigned int i, n = 0;

	npinfo = rcu_dereference_bh(dev->npinfo);
	if (npinfo)
		n += skb_queue_len(&npinfo->txq);
	for (i = 0; i < path->nleaves; i++) {
		if (path->leaf[i] == dev)
			continue;
		npinfo = rcu_dereference_bh(path->leaf[i]->npinfo);
		if (npinfo)
			n += skb_queue_len(&npinfo->txq);
	}
	return n;
}

/*
 * netpoll falls back to queueing (skb_queue_tail(), schedule_delayed_work())
 * when this CPU is inside a real NIC's transmit or NAPI poll (the crash
 * interrupted it): that frame would never leave after a panic, and from
 * NMI the fallback itself is not safe. From NMI a TX lock held by any CPU
 * counts too: netpoll would only try it until the next tick.
 */
static bool tx_direct_ok(const struct tx_path *path)
{
	int cpu = smp_processor_id(), owner;
	bool nmi = in_nmi();
	struct napi_struct *napi;
	unsigned int i, q;

	for (i = 0; i < path->nleaves; i++) {
		for (q = 0; q < path->leaf[i]->real_num_tx_queues; q++) {
			owner = READ_ONCE(netdev_get_tx_queue(path->leaf[i], q)->xmit_lock_owner);
			if (owner == cpu || (nmi && owner != -1))
				return false;
		}
		list_for_each_entry_rcu(napi, &path->leaf[i]->napi_list, dev_list)
			if (READ_ONCE(napi->poll_owner) == cpu)
				return false;
	}
	return true;
}

static void tx_push_ipv4(struct netoops_target *nt, struct sk_buff *skb,
			 struct udphdr *uh, unsigned int ulen)
{
	struct iphdr *iph;

	uh->check = csum_tcpudp_magic(nt->src_ip.ip, nt->remote_ip.ip, ulen,
				      IPPROTO_UDP, csum_partial(uh, ulen, 0));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->tot_len = htons(sizeof(*iph) + ulen);
	iph->id = htons(nt->ip_id++);
	iph->frag_off = 0;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = nt->src_ip.ip;
	iph->daddr = nt->remote_ip.ip;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
	skb->protocol = htons(ETH_P_IP);
}

static void tx_push_ipv6(struct netoops_target *nt, struct sk_buff *skb,
			 struct udphdr *uh, unsigned int ulen)
{
	struct ipv6hdr *ip6h;

	uh->check = csum_ipv6_magic(&nt->src_ip.in6, &nt->remote_ip.in6, ulen,
				    IPPROTO_UDP, csum_partial(uh, ulen, 0));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;

	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(ulen);
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = 64;
	ip6h->saddr = nt->src_ip.in6;
	ip6h->daddr = nt->remote_ip.in6;
	skb->protocol = htons(ETH_P_IPV6);
}

/* Rebuilds @skb from scratch: the previous transmission left its marks. */
static void tx_build(struct netoops_target *nt, struct sk_buff *skb,
		     const char *hdr, unsigned int hlen,
		     const char *text, unsigned int tlen)
{
	unsigned int ulen = sizeof(struct udphdr) + hlen + tlen;
	struct udphdr *uh;
	struct ethhdr *eth;

	skb->data = skb->head;
	skb_reset_tail_pointer(skb);
	skb->len = 0;
	skb->data_len = 0;
	skb->cloned = 0;	/* its clones are gone: tx_skb_idle() */
	__vlan_hwaccel_clear_tag(skb);	/* a VLAN device's tag of the last frame */
	skb_reserve(skb, nt->headroom);
	skb_put_data(skb, hdr, hlen);
	skb_put_data(skb, text, tlen);

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(nt->local_port);
	uh->dest = htons(nt->remote_port);
	uh->len = htons(ulen);
	uh->check = 0;
	if (nt->ipv6)
		tx_push_ipv6(nt, skb, uh, ulen);
	else
		tx_push_ipv4(nt, skb, uh, ulen);

	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	eth->h_proto = skb->protocol;
	ether_addr_copy(eth->h_source, nt->np.dev->dev_addr);
	ether_addr_copy(eth->h_dest, nt->remote_mac);
	skb->dev = nt->np.dev;
	skb->ip_summed = CHECKSUM_NONE;
}

/* Hands @skb to netpoll; 0 only if it went to the driver right away. */
static int tx_xmit(struct netoops_target *nt, const struct tx_path *path,
		   struct sk_buff *skb)
{
	struct net_device *dev = nt->np.dev;

	if (!rcu_access_pointer(dev->npinfo))
		return -ENODEV;
	/* netpoll would queue behind older deferred skbs: lost after a panic */
	if (tx_deferred(dev, path))
		return -EBUSY;
	if (!tx_direct_ok(path))
		return -EBUSY;
	if (path->share)
		skb_get(skb);
	if (netpoll_send_skb(&nt->np, skb) != NETDEV_TX_OK)
		return -EIO;
	if (tx_deferred(dev, path))
		return -EAGAIN;
	return 0;
}

/* A path that changed since the target was enabled may not fit its skbs. */
static int tx_path_check(struct netoops_target *nt, const struct tx_path *path)
{
	if (path->need > nt->headroom - sizeof(struct ipv6hdr) -
	    sizeof(struct udphdr))
		return -EMSGSIZE;
	if (nt->np.dev->mtu < nt->mtu_need)
		return -EMSGSIZE;
	return 0;
}

/* An skb that was not handed over goes back unused: no free from a crash. */
static void tx_put_back(struct netoops_target *nt, struct sk_buff *skb,
			bool share)
{
	if (share)
		return;		/* still in the pool */
	skb->destructor = NULL;
	atomic_dec(&tx_inflight);
	__skb_queue_head(&nt->spare, skb);
}

/**
 * netoops_tx_send() - send one datagram to one target
 * @nt:		an enabled target
 * @hdr:	the datagram's header line
 * @hlen:	its length
 * @text:	the log text that follows it
 * @tlen:	its length; @hlen + @tlen <= NETOOPS_MAX_DATAGRAM
 *
 * Runs with interrupts off, as netpoll expects, and never waits longer than
 * twice TX_WAIT_US plus netpoll's own retry tick.
 *
 * Return: 0 when the driver took the frame, else a negative errno.
 */
int netoops_tx_send(struct netoops_target *nt, const char *hdr,
		    unsigned int hlen, const char *text, unsigned int tlen)
{
	struct sk_buff *skb = NULL;
	struct tx_path path;
	unsigned long flags;
	bool bh;
	int err;

	local_irq_save(flags);
	rcu_read_lock();
	tx_path_resolve(nt->np.dev, &path);
	err = tx_path_check(nt, &path);
	if (!err) {
		skb = path.share ? tx_get_shared(nt, &path) : tx_get_owned(nt);
		err = skb ? 0 : -ENOBUFS;
	}
	if (!err && !tx_ring_room(&path))
		err = -EBUSY;
	if (!err) {
		tx_build(nt, skb, hdr, hlen, text, tlen);
		bh = tx_bh_off();	/* see tx_poll() */
		err = tx_xmit(nt, &path, skb);
		tx_bh_on(bh);
		if (err == -ENODEV || err == -EBUSY)
			tx_put_back(nt, skb, path.share);
	} else if (skb) {
		tx_put_back(nt, skb, path.share);
	}
	rcu_read_unlock();
	local_irq_restore(flags);
	return err;
}
