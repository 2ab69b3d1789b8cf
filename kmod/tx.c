// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: Ethernet + IPv4/IPv6 + UDP frames in preallocated skbs, sent through netpoll. */

#include <linux/delay.h>
#include <linux/etherdevice.h>
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

/*
 * The crash path must not allocate, so each target owns NETOOPS_SKB_POOL
 * skbs for as long as it is enabled. Before an skb is handed to netpoll we
 * take an extra reference: the driver's free after transmission then only
 * drops it back to one, and the skb, no longer seen by anyone else, is
 * rebuilt for the next datagram.
 */
int netoops_tx_alloc(struct netoops_target *nt)
{
	struct net_device *dev = nt->np.dev;
	unsigned int size, i;

	nt->headroom = LL_RESERVED_SPACE(dev) + sizeof(struct ipv6hdr) +
		       sizeof(struct udphdr);
	size = nt->headroom + NETOOPS_MAX_DATAGRAM + dev->needed_tailroom;
	for (i = 0; i < NETOOPS_SKB_POOL; i++) {
		nt->skbs[i] = alloc_skb(size, GFP_KERNEL);
		if (!nt->skbs[i]) {
			netoops_tx_free(nt);
			return -ENOMEM;
		}
	}
	nt->skb_next = 0;
	nt->txq = 0;
	return 0;
}

/* Drops our reference; an skb still in a TX ring is freed by its driver. */
void netoops_tx_free(struct netoops_target *nt)
{
	unsigned int i;

	for (i = 0; i < NETOOPS_SKB_POOL; i++) {
		consume_skb(nt->skbs[i]);
		nt->skbs[i] = NULL;
	}
}

/* Reaps finished transmissions; netpoll_poll_dev() only trylocks. */
static void tx_poll(struct netoops_target *nt)
{
	netpoll_poll_dev(nt->np.dev);
	udelay(TX_POLL_US);
}

/* The least recently used skb once the driver has let go of it. */
static struct sk_buff *tx_get_skb(struct netoops_target *nt)
{
	unsigned int waited, i, n;

	for (waited = 0; waited < TX_WAIT_US; waited += TX_POLL_US) {
		for (i = 0; i < NETOOPS_SKB_POOL; i++) {
			n = (nt->skb_next + i) % NETOOPS_SKB_POOL;
			if (refcount_read(&nt->skbs[n]->users) == 1) {
				/* pairs with the driver's release */
				smp_rmb();
				nt->skb_next = (n + 1) % NETOOPS_SKB_POOL;
				return nt->skbs[n];
			}
		}
		tx_poll(nt);
	}
	return NULL;
}

/**
 * netoops_tx_flush() - wait until the device has sent every frame
 * @nt:		an enabled target
 *
 * A frame the driver accepted may still sit in its TX ring; after a panic
 * the machine stops or reboots right after the dump, so the dump waits,
 * polling the device, until the driver has let go of every skb.
 */
void netoops_tx_flush(struct netoops_target *nt)
{
	unsigned int waited, i, busy;
	unsigned long flags;

	local_irq_save(flags);
	for (waited = 0; waited < TX_WAIT_US; waited += TX_POLL_US) {
		busy = 0;
		for (i = 0; i < NETOOPS_SKB_POOL; i++)
			busy += refcount_read(&nt->skbs[i]->users) > 1;
		if (!busy)
			break;
		tx_poll(nt);
	}
	local_irq_restore(flags);
}

/*
 * netpoll retries a busy ring only until the next tick and then queues the
 * skb to a work item, which never runs after a panic. Waiting here until the
 * ring has room keeps every datagram on the direct path.
 */
static bool tx_ring_room(struct netoops_target *nt)
{
	struct net_device *dev = nt->np.dev;
	struct netdev_queue *txq;
	unsigned int waited;

	if (nt->txq >= dev->real_num_tx_queues)
		nt->txq = 0;
	txq = netdev_get_tx_queue(dev, nt->txq);
	for (waited = 0; waited < TX_WAIT_US; waited += TX_POLL_US) {
		if (!netif_xmit_stopped(txq))
			return true;
		tx_poll(nt);
	}
	return false;
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
static int tx_xmit(struct netoops_target *nt, struct sk_buff *skb)
{
	struct netpoll_info *npinfo;

	npinfo = rcu_dereference_bh(nt->np.dev->npinfo);
	if (!npinfo)
		return -ENODEV;
	/* netpoll would queue behind older deferred skbs: lost after a panic */
	if (skb_queue_len(&npinfo->txq))
		return -EBUSY;

	skb_get(skb);
	if (netpoll_send_skb(&nt->np, skb) != NETDEV_TX_OK)
		return -EIO;
	if (skb_queue_len(&npinfo->txq))
		return -EAGAIN;
	nt->txq = skb_get_queue_mapping(skb);
	return 0;
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
	struct sk_buff *skb;
	unsigned long flags;
	int err = -ENOBUFS;

	local_irq_save(flags);
	skb = tx_get_skb(nt);
	if (skb && tx_ring_room(nt)) {
		tx_build(nt, skb, hdr, hlen, text, tlen);
		err = tx_xmit(nt, skb);
	}
	local_irq_restore(flags);
	return err;
}
