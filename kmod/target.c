// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the targets: their list, enabling and disabling, the netoops= parameter. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inet.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/nsproxy.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include "compat.h"
#include "netoops.h"

#define CMDLINE_PREFIX	"cmdline"
/* Seconds to wait for the carrier of a device netoops brought up (netpoll's default). */
#define TARGET_CARRIER_WAIT	4

/*
 * A mutex: enabling a target sleeps (netpoll_setup(), allocation). It
 * serialises configuration, process-context dumps and teardown. Taken
 * before the RTNL (netpoll_setup() takes that), never under it.
 */
DEFINE_MUTEX(netoops_config_mutex);
static LIST_HEAD(netoops_targets);

/*
 * The enabled targets, read by the crash path under RCU without any lock.
 * Writers take this spinlock rather than the config mutex because the
 * netdevice notifier, which runs under the RTNL, must unlink a target whose
 * device goes away, and the mutex ranks above the RTNL.
 */
LIST_HEAD(netoops_active);
static DEFINE_SPINLOCK(netoops_active_lock);

/* Process-context dumps read netoops_active under it: they sleep. */
DEFINE_SRCU(netoops_srcu);

static void target_cleanup_work(struct work_struct *work);
static DECLARE_WORK(target_cleanup, target_cleanup_work);

static struct netoops_target *target_alloc(const char *name)
{
	struct netoops_target *nt = kzalloc(sizeof(*nt), GFP_KERNEL);

	if (!nt)
		return NULL;
	strscpy(nt->name, name, sizeof(nt->name));
	strscpy(nt->dev_name, "eth0", sizeof(nt->dev_name));
	nt->local_port = NETOOPS_DEFAULT_PORT;
	nt->remote_port = NETOOPS_DEFAULT_PORT;
	eth_broadcast_addr(nt->remote_mac);
	INIT_LIST_HEAD(&nt->list);
	INIT_LIST_HEAD(&nt->active);
	return nt;
}

/* ---- enabling and disabling ---------------------------------------------- */

/* What netpoll cannot tell clearly: checked first, each with its own message. */
static int target_check_dev(struct netoops_target *nt, bool must_be_up)
{
	unsigned int need = NETOOPS_MAX_DATAGRAM + sizeof(struct udphdr) +
		(nt->ipv6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr));
	struct net_device *dev;
	int err = 0;

	dev = dev_get_by_name(current->nsproxy->net_ns, nt->dev_name);
	if (!dev) {
		pr_err("target %s: no network device %s\n",
		       nt->name, nt->dev_name);
		return -ENODEV;
	}
	if (dev->type != ARPHRD_ETHER) {
		pr_err("target %s: %s is not an Ethernet device\n",
		       nt->name, dev->name);
		err = -EINVAL;
	} else if (dev->priv_flags & IFF_DISABLE_NETPOLL) {
		pr_err("target %s: %s does not support netpoll\n",
		       nt->name, dev->name);
		err = -EOPNOTSUPP;
	} else if (must_be_up && !netif_running(dev)) {
		pr_err("target %s: %s is down; bring it up first\n",
		       nt->name, dev->name);
		err = -ENETDOWN;
	} else if (dev->mtu < need) {
		pr_err("target %s: MTU of %s is %u, netoops needs %u\n",
		       nt->name, dev->name, dev->mtu, need);
		err = -EINVAL;
	}
	dev_put(dev);
	return err;
}

static int target_check(struct netoops_target *nt, bool must_be_up)
{
	if (!nt->remote_ip_set) {
		pr_err("target %s: remote_ip is not set\n", nt->name);
		return -EDESTADDRREQ;
	}
	if (nt->local_ip_set && nt->local_ipv6 != nt->ipv6) {
		pr_err("target %s: local_ip and remote_ip are not both IPv4 or both IPv6\n",
		       nt->name);
		return -EINVAL;
	}
	return target_check_dev(nt, must_be_up);
}

/* The device's first address of the target's family, when local_ip is not set. */
static int target_source_ip(struct netoops_target *nt, struct net_device *dev)
{
	const struct in_ifaddr *ifa;
	struct inet6_ifaddr *ifp;
	struct in_device *in_dev;
	struct inet6_dev *idev;
	int err = -EDESTADDRREQ;
	bool ll;

	if (nt->local_ip_set) {
		nt->src_ip = nt->local_ip;
		return 0;
	}
	if (!nt->ipv6) {
		in_dev = __in_dev_get_rtnl(dev);
		ifa = in_dev ? rtnl_dereference(in_dev->ifa_list) : NULL;
		if (ifa) {
			nt->src_ip.ip = ifa->ifa_local;
			err = 0;
		}
	} else if (IS_ENABLED(CONFIG_IPV6)) {
		/* link-local only for a link-local collector, as netpoll did */
		ll = ipv6_addr_type(&nt->remote_ip.in6) & IPV6_ADDR_LINKLOCAL;
		idev = __in6_dev_get(dev);
		if (idev) {
			read_lock_bh(&idev->lock);
			list_for_each_entry(ifp, &idev->addr_list, if_list) {
				if (!!(ipv6_addr_type(&ifp->addr) &
				       IPV6_ADDR_LINKLOCAL) != ll)
					continue;
				nt->src_ip.in6 = ifp->addr;
				err = 0;
				break;
			}
			read_unlock_bh(&idev->lock);
		}
	}
	if (err)
		pr_err("target %s: %s has no IPv%d address; set local_ip or add one\n",
		       nt->name, dev->name, nt->ipv6 ? 6 : 4);
	return err;
}

/* A device that is down is opened, as netpoll_setup() did: netoops= targets only. */
static int target_open_dev(struct netoops_target *nt, struct net_device *dev)
{
	unsigned long until;
	int err;

	if (netif_running(dev))
		return 0;
	pr_info("target %s: %s is down, bringing it up\n", nt->name, dev->name);
	err = dev_open(dev, NULL);
	if (err) {
		pr_err("target %s: cannot bring %s up (%d)\n", nt->name,
		       dev->name, err);
		return err;
	}
	rtnl_unlock();
	until = jiffies + TARGET_CARRIER_WAIT * HZ;
	while (!netif_carrier_ok(dev) && time_before(jiffies, until))
		msleep(20);
	rtnl_lock();
	return 0;
}

/*
 * Binds netpoll to the device, as netconsole does since netpoll_setup()
 * became netconsole's own (7.3): under the RTNL, a reference held for the
 * lifetime of the binding (netpoll_cleanup() drops it), then
 * __netpoll_setup(), which every supported kernel has.
 */
static int target_setup_netpoll(struct netoops_target *nt)
{
	struct net *net = current->nsproxy->net_ns;
	struct netpoll *np = &nt->np;
	struct net_device *dev;
	int err;

	memset(np, 0, sizeof(*np));
	np->name = "netoops";
	strscpy(np->dev_name, nt->dev_name, sizeof(np->dev_name));
	rtnl_lock();
	dev = __dev_get_by_name(net, nt->dev_name);
	if (!dev) {
		rtnl_unlock();
		pr_err("target %s: no network device %s\n", nt->name,
		       nt->dev_name);
		return -ENODEV;
	}
	netdev_hold(dev, &np->dev_tracker, GFP_KERNEL);
	if (netdev_master_upper_dev_get(dev)) {
		pr_err("target %s: %s is enslaved; use its master device\n",
		       nt->name, dev->name);
		err = -EBUSY;
		goto put;
	}
	err = target_open_dev(nt, dev);
	if (!err)
		err = target_source_ip(nt, dev);
	if (!err)
		err = __netpoll_setup(np, dev);
	if (err)
		goto put;
	rtnl_unlock();
	/* NAPI polls that began before npinfo was visible did not lock */
	synchronize_rcu();
	return 0;

put:
	np->dev = NULL;
	netdev_put(dev, &np->dev_tracker);
	rtnl_unlock();
	pr_err("target %s: netpoll setup on %s failed (%d)\n", nt->name,
	       nt->dev_name, err);
	return err;
}

static void target_log_enabled(struct netoops_target *nt)
{
	if (nt->ipv6)
		pr_info("target %s: [%pI6c]:%u -> [%pI6c]:%u via %s, next hop %pM\n",
			nt->name, &nt->src_ip.in6, nt->local_port,
			&nt->remote_ip.in6, nt->remote_port, nt->dev_name,
			nt->remote_mac);
	else
		pr_info("target %s: %pI4:%u -> %pI4:%u via %s, next hop %pM\n",
			nt->name, &nt->src_ip.ip, nt->local_port,
			&nt->remote_ip.ip, nt->remote_port, nt->dev_name,
			nt->remote_mac);
}

/* Caller holds netoops_config_mutex. */
int netoops_target_enable(struct netoops_target *nt, bool must_be_up)
{
	int err;

	err = target_check(nt, must_be_up);
	if (err)
		return err;
	err = target_setup_netpoll(nt);
	if (err)
		return err;
	err = netoops_tx_alloc(nt);
	if (err) {
		pr_err("target %s: cannot allocate its frames\n",
		       nt->name);
		netpoll_cleanup(&nt->np);
		return err;
	}
	nt->enabled = true;
	nt->dev_gone = false;
	spin_lock(&netoops_active_lock);
	list_add_tail_rcu(&nt->active, &netoops_active);
	nt->linked = true;
	spin_unlock(&netoops_active_lock);
	target_log_enabled(nt);
	return 0;
}

static void target_unlink(struct netoops_target *nt)
{
	spin_lock(&netoops_active_lock);
	if (nt->linked) {
		list_del_rcu(&nt->active);
		nt->linked = false;
	}
	spin_unlock(&netoops_active_lock);
}

/* Caller holds netoops_config_mutex. */
void netoops_target_disable(struct netoops_target *nt)
{
	if (!nt->enabled)
		return;
	target_unlink(nt);
	/* crash dumps read the target under RCU, other dumps under SRCU */
	synchronize_rcu();
	synchronize_srcu(&netoops_srcu);
	netpoll_cleanup(&nt->np);
	netoops_tx_free(nt);
	nt->enabled = false;
	nt->dev_gone = false;
}

/* The name of the target's device; a rename changes it while enabled. */
void netoops_target_dev_name(struct netoops_target *nt, char *name)
{
	spin_lock(&netoops_active_lock);
	strscpy(name, nt->dev_name, IFNAMSIZ);
	spin_unlock(&netoops_active_lock);
}

/* Under netoops_active_lock: the work item disables (and may move) @nt. */
static void target_mark_gone(struct netoops_target *nt, bool follow)
{
	list_del_rcu(&nt->active);
	nt->linked = false;
	WRITE_ONCE(nt->dev_gone, true);
	nt->follow = follow;
}

/*
 * A device that goes away must be released before its unregistration can
 * finish. Under the RTNL we may only unlink the target; the work item then
 * disables it, after the RTNL has been dropped. A device that joins a bond
 * or bridge (NETDEV_JOIN) keeps no address of its own: the work item moves
 * the target to the master. A rename is followed here.
 */
static int target_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netoops_target *nt, *tmp;
	bool gone = false;

	if (event != NETDEV_UNREGISTER && event != NETDEV_RELEASE &&
	    event != NETDEV_JOIN && event != NETDEV_CHANGENAME)
		return NOTIFY_DONE;

	spin_lock(&netoops_active_lock);
	list_for_each_entry_safe(nt, tmp, &netoops_active, active) {
		if (nt->np.dev != dev)
			continue;
		if (event == NETDEV_CHANGENAME) {
			pr_info("target %s: %s is now called %s\n", nt->name,
				nt->dev_name, dev->name);
			strscpy(nt->dev_name, dev->name, sizeof(nt->dev_name));
			strscpy(nt->np.dev_name, dev->name,
				sizeof(nt->np.dev_name));
			continue;
		}
		target_mark_gone(nt, event == NETDEV_JOIN);
		gone = true;
	}
	spin_unlock(&netoops_active_lock);
	if (gone) {
		netoops_dump_stop_task();
		schedule_work(&target_cleanup);
	}
	return NOTIFY_DONE;
}

static struct notifier_block target_netdev_nb = {
	.notifier_call = target_netdev_event,
};

/*
 * The device of @nt (disabled) was enslaved: bind the target to the master,
 * with the source address it had, since the master carries it from now on.
 */
static void target_follow_master(struct netoops_target *nt)
{
	struct net_device *dev, *master = NULL;
	char slave[IFNAMSIZ], name[IFNAMSIZ];

	rtnl_lock();
	dev = __dev_get_by_name(&init_net, nt->dev_name);
	if (dev)
		master = netdev_master_upper_dev_get(dev);
	if (master)
		strscpy(name, master->name, sizeof(name));
	rtnl_unlock();
	if (!master) {
		pr_info("target %s: disabled, %s left for no master\n",
			nt->name, nt->dev_name);
		return;
	}
	strscpy(slave, nt->dev_name, sizeof(slave));
	pr_info("target %s: %s was enslaved to %s: following the address there\n",
		nt->name, slave, name);
	strscpy(nt->dev_name, name, sizeof(nt->dev_name));
	nt->local_ip = nt->src_ip;
	nt->local_ipv6 = nt->ipv6;
	nt->local_ip_set = true;
	if (netoops_target_enable(nt, false))
		pr_err("target %s: cannot follow %s to %s; it stays disabled\n",
		       nt->name, slave, name);
}

static void target_cleanup_work(struct work_struct *work)
{
	struct netoops_target *nt;
	bool follow;

	mutex_lock(&netoops_config_mutex);
	list_for_each_entry(nt, &netoops_targets, list) {
		if (!nt->enabled || !nt->dev_gone)
			continue;
		follow = nt->follow;
		if (!follow)
			pr_info("target %s: disabled, device %s went away\n",
				nt->name, nt->dev_name);
		netoops_target_disable(nt);
		if (follow)
			target_follow_master(nt);
	}
	mutex_unlock(&netoops_config_mutex);
}

/* ---- parsing values (configfs and netoops=) ---------------------------------- */

int netoops_parse_ip(const char *s, union inet_addr *addr, bool *ipv6)
{
	size_t len = strlen(s);
	const char *end;

	memset(addr, 0, sizeof(*addr));
	if (strchr(s, ':')) {
		*ipv6 = true;
		if (in6_pton(s, len, addr->in6.s6_addr, -1, &end) &&
		    end == s + len)
			return 0;
	} else {
		*ipv6 = false;
		if (in4_pton(s, len, (u8 *)&addr->ip, -1, &end) &&
		    end == s + len)
			return 0;
	}
	return -EINVAL;
}

int netoops_parse_port(const char *s, u16 *port)
{
	u16 v;

	if (kstrtou16(s, 10, &v) || !v)
		return -EINVAL;
	*port = v;
	return 0;
}

int netoops_parse_mac(const char *s, u8 *mac)
{
	if (strlen(s) != 3 * ETH_ALEN - 1 || !mac_pton(s, mac))
		return -EINVAL;
	return 0;
}

int netoops_parse_dev(const char *s, char *name)
{
	if (!*s || strlen(s) >= IFNAMSIZ || !dev_valid_name(s))
		return -EINVAL;
	strscpy(name, s, IFNAMSIZ);
	return 0;
}

/* ---- lookup, creation, removal -------------------------------------------- */

/* A cmdline target not yet in configfs, or a new target named @name. */
struct netoops_target *netoops_target_get(const char *name)
{
	struct netoops_target *nt;

	if (!strncmp(name, CMDLINE_PREFIX, strlen(CMDLINE_PREFIX))) {
		list_for_each_entry(nt, &netoops_targets, list)
			if (!nt->in_configfs && !strcmp(nt->name, name))
				return nt;
	}
	nt = target_alloc(name);
	if (nt)
		list_add_tail(&nt->list, &netoops_targets);
	return nt;
}

/* Caller holds netoops_config_mutex; the memory is the caller's to free. */
void netoops_target_remove(struct netoops_target *nt)
{
	netoops_target_disable(nt);
	list_del(&nt->list);
}

/* ---- the netoops= parameter ------------------------------------------------ */

/*
 * One target in netconsole's grammar:
 * [src-port]@[src-ip]/[dev],[tgt-port]@<tgt-ip>/[tgt-macaddr]
 */
static int target_parse_param(struct netoops_target *nt, char *opt)
{
	static const char seps[] = "@/,@";
	char *field[5], *mac, sep[2] = "";
	int i;

	for (i = 0; i < 4; i++) {
		sep[0] = seps[i];
		field[i] = strsep(&opt, sep);
		if (!opt)
			return -EINVAL;
	}
	field[4] = opt;
	mac = strchr(opt, '/');
	if (mac)
		*mac++ = '\0';
	if (*field[0] && netoops_parse_port(field[0], &nt->local_port))
		return -EINVAL;
	if (*field[1]) {
		if (netoops_parse_ip(field[1], &nt->local_ip, &nt->local_ipv6))
			return -EINVAL;
		nt->local_ip_set = true;
	}
	if (*field[2] && netoops_parse_dev(field[2], nt->dev_name))
		return -EINVAL;
	if (*field[3] && netoops_parse_port(field[3], &nt->remote_port))
		return -EINVAL;
	if (netoops_parse_ip(field[4], &nt->remote_ip, &nt->ipv6))
		return -EINVAL;
	nt->remote_ip_set = true;
	if (mac && *mac && netoops_parse_mac(mac, nt->remote_mac))
		return -EINVAL;
	return 0;
}

/* Creates and enables the targets of netoops=, separated by ';'. */
static int target_add_params(char *params)
{
	struct netoops_target *nt;
	char *opt, name[16];
	int n = 0;

	while ((opt = strsep(&params, ";"))) {
		if (!*opt)
			continue;
		snprintf(name, sizeof(name), CMDLINE_PREFIX "%d", n++);
		nt = target_alloc(name);
		if (!nt)
			return -ENOMEM;
		if (target_parse_param(nt, opt)) {
			pr_err("netoops=: cannot parse target %d; expected [src-port]@[src-ip]/[dev],[tgt-port]@<tgt-ip>/[tgt-macaddr]\n",
			       n - 1);
			kfree(nt);
			return -EINVAL;
		}
		list_add_tail(&nt->list, &netoops_targets);
		/* like netconsole: a target that cannot start stays, disabled */
		netoops_target_enable(nt, false);
	}
	return 0;
}

/* Targets created by netoops= and never attached to configfs. */
static void target_free_params(void)
{
	struct netoops_target *nt, *tmp;

	mutex_lock(&netoops_config_mutex);
	list_for_each_entry_safe(nt, tmp, &netoops_targets, list) {
		if (nt->in_configfs)
			continue;
		netoops_target_remove(nt);
		kfree(nt);
	}
	mutex_unlock(&netoops_config_mutex);
}

int netoops_targets_init(const char *param)
{
	char *params;
	int err;

	err = register_netdevice_notifier(&target_netdev_nb);
	if (err)
		return err;
	params = kstrdup(param ? param : "", GFP_KERNEL);
	if (!params) {
		err = -ENOMEM;
		goto unregister_notifier;
	}
	mutex_lock(&netoops_config_mutex);
	err = target_add_params(params);
	mutex_unlock(&netoops_config_mutex);
	kfree(params);
	if (err)
		goto free_params;

	err = netoops_configfs_init();
	if (err) {
		pr_err("cannot register the configfs subsystem (%d)\n", err);
		goto free_params;
	}
	return 0;

free_params:
	target_free_params();
unregister_notifier:
	unregister_netdevice_notifier(&target_netdev_nb);
	flush_work(&target_cleanup);
	return err;
}

/*
 * configfs pins the module while targets exist there: only params remain.
 * They go before the notifier, whose unregistration replays NETDEV_UNREGISTER
 * for every device.
 */
void netoops_targets_exit(void)
{
	netoops_configfs_exit();
	target_free_params();
	unregister_netdevice_notifier(&target_netdev_nb);
	flush_work(&target_cleanup);
}
