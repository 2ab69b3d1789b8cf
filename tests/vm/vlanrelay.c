/* tests/vm: the VLAN cases' wire: QEMU's raw frames in, 802.1Q tag checked and stripped, UDP out. */
/*
 * usage: vlanrelay -l ADDR:PORT -f ADDR:PORT [-6 ADDR:PORT] -v VID -o STATS [-t SECONDS]
 *
 * QEMU's `-netdev socket,udp=ADDR:PORT,localaddr=...` sends every Ethernet frame the guest
 * transmits as one UDP datagram to -l. Each frame is classified: 802.1Q-tagged with VID (the
 * case's VLAN), tagged with another VID, or untagged. The UDP payload of every IPv4 UDP frame
 * tagged with VID is forwarded to -f (netoopsd), as QEMU's user network would have delivered it.
 * With -6, the UDP payload of every IPv6 UDP frame tagged with VID goes there.
 * Untagged UDP frames are counted, not forwarded: on a VLAN, they would be lost.
 * On SIGTERM or after -t seconds, writes one line to STATS:
 *   tagged=N wrong_vid=N untagged_udp=N forwarded=N other=N forwarded6=N
 */
#include <stdint.h>

#include "relay.h"

struct counts {
	unsigned long tagged, wrong_vid, untagged_udp, forwarded, other, forwarded6;
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The UDP payload of an IPv6 UDP packet (no extension headers) at @ip, or NULL. */
static const unsigned char *udp6_payload(const unsigned char *ip, size_t len, size_t *plen)
{
	size_t ulen;

	if (len < 48 || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_UDP)
		return NULL;
	ulen = be16(ip + 40 + 4);
	if (ulen < 8 || 40 + ulen > len)
		return NULL;
	*plen = ulen - 8;
	return ip + 48;
}

/* The UDP payload of the IPv4 or IPv6 packet of EtherType @type, or NULL. */
static const unsigned char *any_payload(unsigned int type, const unsigned char *ip,
					size_t len, size_t *plen)
{
	if (type == 0x0800)
		return udp_payload(ip, len, plen);
	if (type == 0x86dd)
		return udp6_payload(ip, len, plen);
	return NULL;
}

struct relay_out {
	int fd;
	struct sockaddr_in to, to6;
	int have6;
};

static void relay(const unsigned char *f, size_t len, unsigned int vid,
		  const struct relay_out *o, struct counts *c)
{
	const unsigned char *payload;
	unsigned int type;
	size_t plen;

	if (len < 14) {
		c->other++;
		return;
	}
	if (be16(f + 12) != 0x8100) {
		if (any_payload(be16(f + 12), f + 14, len - 14, &plen))
			c->untagged_udp++;
		else
			c->other++;
		return;
	}
	if (len < 18 || (be16(f + 14) & 0x0fff) != vid) {
		c->wrong_vid++;
		return;
	}
	c->tagged++;
	type = be16(f + 16);
	payload = any_payload(type, f + 18, len - 18, &plen);
	if (!payload || (type == 0x86dd && !o->have6))
		return;
	if (sendto(o->fd, payload, plen, 0,
		   (const struct sockaddr *)(type == 0x86dd ? &o->to6 : &o->to),
		   sizeof(o->to)) != (ssize_t)plen)
		return;
	if (type == 0x86dd)
		c->forwarded6++;
	else
		c->forwarded++;
}

int main(int argc, char **argv)
{
	struct sockaddr_in in_addr;
	struct relay_out o = { 0 };
	const char *listen_s = NULL, *to_s = NULL, *to6_s = NULL, *stats = NULL;
	unsigned int vid = 0, timeout = 900;
	struct counts c = { 0 };
	unsigned char frame[65536];
	int opt, in, rcvbuf = 16 << 20;
	struct timeval tv = { .tv_sec = 1 };
	time_t until;
	FILE *sf;

	while ((opt = getopt(argc, argv, "l:f:6:v:o:t:")) != -1) {
		switch (opt) {
		case 'l': listen_s = optarg; break;
		case 'f': to_s = optarg; break;
		case '6': to6_s = optarg; break;
		case 'v': vid = (unsigned int)atoi(optarg); break;
		case 'o': stats = optarg; break;
		case 't': timeout = (unsigned int)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!listen_s || !to_s || !stats || !vid || vid > 4094 ||
	    parse_addr(listen_s, &in_addr) || parse_addr(to_s, &o.to) ||
	    (to6_s && parse_addr(to6_s, &o.to6)))
		goto usage;
	o.have6 = to6_s != NULL;
	in = socket(AF_INET, SOCK_DGRAM, 0);
	o.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (in < 0 || o.fd < 0 ||
	    setsockopt(in, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    setsockopt(in, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(in, (struct sockaddr *)&in_addr, sizeof(in_addr))) {
		perror("vlanrelay: socket");
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	until = time(NULL) + timeout;
	while (!stop && time(NULL) < until) {
		ssize_t n = recv(in, frame, sizeof(frame), 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			perror("vlanrelay: recv");
			break;
		}
		relay(frame, (size_t)n, vid, &o, &c);
	}
	sf = fopen(stats, "w");
	if (!sf) {
		perror(stats);
		return 1;
	}
	fprintf(sf, "tagged=%lu wrong_vid=%lu untagged_udp=%lu forwarded=%lu other=%lu forwarded6=%lu\n",
		c.tagged, c.wrong_vid, c.untagged_udp, c.forwarded, c.other, c.forwarded6);
	return fclose(sf) ? 1 : 0;
usage:
	fprintf(stderr, "usage: vlanrelay -l ADDR:PORT -f ADDR:PORT [-6 ADDR:PORT] -v VID -o STATS [-t SECONDS]\n");
	return 2;
}
