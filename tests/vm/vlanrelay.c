/* tests/vm: the VLAN cases' wire: QEMU's raw frames in, 802.1Q tag checked and stripped, UDP out. */
/*
 * usage: vlanrelay -l ADDR:PORT -f ADDR:PORT -v VID -o STATS [-t SECONDS]
 *
 * QEMU's `-netdev socket,udp=ADDR:PORT,localaddr=...` sends every Ethernet frame the guest
 * transmits as one UDP datagram to -l. Each frame is classified: 802.1Q-tagged with VID (the
 * case's VLAN), tagged with another VID, or untagged. The UDP payload of every IPv4 UDP frame
 * tagged with VID is forwarded to -f (netoopsd), as QEMU's user network would have delivered it.
 * Untagged IPv4 UDP frames are counted, not forwarded: on a VLAN, they would be lost.
 * On SIGTERM or after -t seconds, writes one line to STATS:
 *   tagged=N wrong_vid=N untagged_udp=N forwarded=N other=N
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

struct counts {
	unsigned long tagged, wrong_vid, untagged_udp, forwarded, other;
};

struct vlan_ctx {
	unsigned int vid;
	struct sockaddr_in to;
	struct counts c;
};

static void relay(const unsigned char *f, size_t len, int out, void *ctx)
{
	struct vlan_ctx *v = ctx;
	struct counts *c = &v->c;
	const unsigned char *payload;
	size_t plen;

	if (len < 14) {
		c->other++;
		return;
	}
	if (be16(f + 12) != 0x8100) {
		if (be16(f + 12) == 0x0800 && udp_payload(f + 14, len - 14, &plen))
			c->untagged_udp++;
		else
			c->other++;
		return;
	}
	if (len < 18 || (be16(f + 14) & 0x0fff) != v->vid) {
		c->wrong_vid++;
		return;
	}
	c->tagged++;
	if (be16(f + 16) != 0x0800)
		return;
	payload = udp_payload(f + 18, len - 18, &plen);
	if (payload && sendto(out, payload, plen, 0, (const struct sockaddr *)&v->to,
			      sizeof(v->to)) == (ssize_t)plen)
		c->forwarded++;
}

int main(int argc, char **argv)
{
	struct sockaddr_in in_addr;
	const char *listen_s = NULL, *to_s = NULL, *stats = NULL;
	unsigned int timeout = 900;
	struct vlan_ctx v = { 0 };
	int opt;
	FILE *sf;

	while ((opt = getopt(argc, argv, "l:f:v:o:t:")) != -1) {
		switch (opt) {
		case 'l': listen_s = optarg; break;
		case 'f': to_s = optarg; break;
		case 'v': v.vid = (unsigned int)atoi(optarg); break;
		case 'o': stats = optarg; break;
		case 't': timeout = (unsigned int)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!listen_s || !to_s || !stats || !v.vid || v.vid > 4094 ||
	    parse_addr(listen_s, &in_addr) || parse_addr(to_s, &v.to))
		goto usage;
	if (relay_loop("vlanrelay", &in_addr, timeout, relay, &v))
		return 1;
	sf = fopen(stats, "w");
	if (!sf) {
		perror(stats);
		return 1;
	}
	fprintf(sf, "tagged=%lu wrong_vid=%lu untagged_udp=%lu forwarded=%lu other=%lu\n",
		v.c.tagged, v.c.wrong_vid, v.c.untagged_udp, v.c.forwarded, v.c.other);
	return fclose(sf) ? 1 : 0;
usage:
	fprintf(stderr, "usage: vlanrelay -l ADDR:PORT -f ADDR:PORT -v VID -o STATS [-t SECONDS]\n");
	return 2;
}
