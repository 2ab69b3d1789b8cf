// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the targets: configfs, the netoops= parameter, enabling and disabling. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/udp.h>
#include "compat.h"
#include "netoops.h"

/*
 * Our configfs tree is:
 *
 * /sys/kernel/config/netoops/
 *				<target>/
 *					enabled
 *					dev_name
 *					local_ip	(empty: the device's first)
 *					remote_ip
 *					local_mac	(ro)
 *					remote_mac
 *					local_port
 *					remote_port
 *					dumps_sent	(ro)
 *					datagrams_sent	(ro)
 *					transmit_errors	(ro)
 *
 * Targets from the netoops= parameter are named cmdline0, cmdline1, ...;
 * mkdir of that name attaches the running target to configfs.
 */

#define CMDLINE_PREFIX	"cmdline"

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

static void target_cleanup_work(struct work_struct *work);
static DECLARE_WORK(target_cleanup, target_cleanup_work);

static struct netoops_target *to_target(struct config_item *item)
{
	return container_of(item, struct netoops_target, item);
}

static const char *target_name(struct netoops_target *nt)
{
	return nt->name;
}

bool netoops_any_active(void)
{
	return !list_empty_careful(&netoops_active);
}

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
		       target_name(nt), nt->dev_name);
		return -ENODEV;
	}
	if (dev->type != ARPHRD_ETHER) {
		pr_err("target %s: %s is not an Ethernet device\n",
		       target_name(nt), dev->name);
		err = -EINVAL;
	} else if (dev->priv_flags & IFF_DISABLE_NETPOLL) {
		pr_err("target %s: %s does not support netpoll\n",
		       target_name(nt), dev->name);
		err = -EOPNOTSUPP;
	} else if (must_be_up && !netif_running(dev)) {
		pr_err("target %s: %s is down; bring it up first\n",
		       target_name(nt), dev->name);
		err = -ENETDOWN;
	} else if (dev->mtu < need) {
		pr_err("target %s: MTU of %s is %u, netoops needs %u\n",
		       target_name(nt), dev->name, dev->mtu, need);
		err = -EINVAL;
	}
	dev_put(dev);
	return err;
}

static int target_check(struct netoops_target *nt, bool must_be_up)
{
	if (!nt->remote_ip_set) {
		pr_err("target %s: remote_ip is not set\n", target_name(nt));
		return -EDESTADDRREQ;
	}
	if (nt->local_ip_set && nt->local_ipv6 != nt->ipv6) {
		pr_err("target %s: local_ip and remote_ip are not both IPv4 or both IPv6\n",
		       target_name(nt));
		return -EINVAL;
	}
	return target_check_dev(nt, must_be_up);
}

/* netpoll binds the device and finds the source address if none is set. */
static int target_setup_netpoll(struct netoops_target *nt)
{
	struct netpoll *np = &nt->np;
	int err;

	memset(np, 0, sizeof(*np));
	np->name = "netoops";
	strscpy(np->dev_name, nt->dev_name, sizeof(np->dev_name));
	np->ipv6 = nt->ipv6;
	if (nt->local_ip_set)
		np->local_ip = nt->local_ip;
	np->remote_ip = nt->remote_ip;
	np->local_port = nt->local_port;
	np->remote_port = nt->remote_port;
	memcpy(np->remote_mac, nt->remote_mac, ETH_ALEN);

	err = netpoll_setup(np);
	if (err) {
		pr_err("target %s: netpoll setup on %s failed (%d)\n",
		       target_name(nt), nt->dev_name, err);
		return err;
	}
	nt->src_ip = np->local_ip;
	return 0;
}

static void target_log_enabled(struct netoops_target *nt)
{
	if (nt->ipv6)
		pr_info("target %s: [%pI6c]:%u -> [%pI6c]:%u via %s, next hop %pM\n",
			target_name(nt), &nt->src_ip.in6, nt->local_port,
			&nt->remote_ip.in6, nt->remote_port, nt->dev_name,
			nt->remote_mac);
	else
		pr_info("target %s: %pI4:%u -> %pI4:%u via %s, next hop %pM\n",
			target_name(nt), &nt->src_ip.ip, nt->local_port,
			&nt->remote_ip.ip, nt->remote_port, nt->dev_name,
			nt->remote_mac);
}

/* Caller holds netoops_config_mutex. */
static int target_enable(struct netoops_target *nt, bool must_be_up)
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
		       target_name(nt));
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
static void target_disable(struct netoops_target *nt)
{
	if (!nt->enabled)
		return;
	target_unlink(nt);
	/* a crash dump on another CPU reads the target under RCU */
	synchronize_rcu();
	netpoll_cleanup(&nt->np);
	netoops_tx_free(nt);
	nt->enabled = false;
	nt->dev_gone = false;
}

/*
 * A device that goes away must be released before its unregistration can
 * finish. Under the RTNL we may only unlink the target; the work item then
 * disables it, after the RTNL has been dropped.
 */
static int target_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netoops_target *nt, *tmp;
	bool gone = false;

	if (event != NETDEV_UNREGISTER && event != NETDEV_RELEASE &&
	    event != NETDEV_JOIN)
		return NOTIFY_DONE;

	spin_lock(&netoops_active_lock);
	list_for_each_entry_safe(nt, tmp, &netoops_active, active) {
		if (nt->np.dev != dev)
			continue;
		list_del_rcu(&nt->active);
		nt->linked = false;
		WRITE_ONCE(nt->dev_gone, true);
		gone = true;
	}
	spin_unlock(&netoops_active_lock);
	if (gone)
		schedule_work(&target_cleanup);
	return NOTIFY_DONE;
}

static struct notifier_block target_netdev_nb = {
	.notifier_call = target_netdev_event,
};

static void target_cleanup_work(struct work_struct *work)
{
	struct netoops_target *nt;

	mutex_lock(&netoops_config_mutex);
	list_for_each_entry(nt, &netoops_targets, list) {
		if (!nt->enabled || !nt->dev_gone)
			continue;
		pr_info("target %s: disabled, device %s went away\n",
			target_name(nt), nt->dev_name);
		target_disable(nt);
	}
	mutex_unlock(&netoops_config_mutex);
}

/* ---- parsing values ------------------------------------------------------ */

/* An attribute value without its trailing newline, as a C string. */
static int target_arg(const char *buf, size_t count, char *out, size_t size)
{
	if (count && buf[count - 1] == '\n')
		count--;
	if (count >= size || memchr(buf, '\0', count))
		return -EINVAL;
	memcpy(out, buf, count);
	out[count] = '\0';
	return 0;
}

static int target_parse_ip(const char *s, union inet_addr *addr, bool *ipv6)
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

static int target_parse_port(const char *s, u16 *port)
{
	u16 v;

	if (kstrtou16(s, 10, &v) || !v)
		return -EINVAL;
	*port = v;
	return 0;
}

static int target_parse_mac(const char *s, u8 *mac)
{
	if (strlen(s) != 3 * ETH_ALEN - 1 || !mac_pton(s, mac))
		return -EINVAL;
	return 0;
}

static int target_parse_dev(const char *s, char *name)
{
	if (!*s || strlen(s) >= IFNAMSIZ || !dev_valid_name(s))
		return -EINVAL;
	strscpy(name, s, IFNAMSIZ);
	return 0;
}

/* ---- configfs attributes --------------------------------------------------- */

/* Each store: one parser, run under the mutex, refused while enabled. */
typedef int (*target_setter)(struct netoops_target *nt, const char *val);

static ssize_t target_store(struct config_item *item, const char *buf,
			    size_t count, const char *attr, target_setter set)
{
	struct netoops_target *nt = to_target(item);
	char val[64];
	int err;

	mutex_lock(&netoops_config_mutex);
	if (nt->enabled) {
		pr_err("target %s is enabled: write 0 to enabled before changing %s\n",
		       target_name(nt), attr);
		err = -EBUSY;
		goto out_unlock;
	}
	err = target_arg(buf, count, val, sizeof(val));
	if (!err)
		err = set(nt, val);
	if (err == -EINVAL)
		pr_err("target %s: invalid %s '%.*s'\n", target_name(nt), attr,
		       (int)min_t(size_t, count, 64), buf);
out_unlock:
	mutex_unlock(&netoops_config_mutex);
	return err ? err : count;
}

static int set_dev_name(struct netoops_target *nt, const char *val)
{
	struct net_device *dev;
	char name[IFNAMSIZ];

	if (target_parse_dev(val, name))
		return -EINVAL;
	dev = dev_get_by_name(current->nsproxy->net_ns, name);
	if (!dev) {
		pr_err("target %s: no network device %s\n",
		       target_name(nt), name);
		return -ENODEV;
	}
	dev_put(dev);
	strscpy(nt->dev_name, name, sizeof(nt->dev_name));
	return 0;
}

static int set_local_ip(struct netoops_target *nt, const char *val)
{
	union inet_addr addr;
	bool ipv6;

	if (!*val) {
		nt->local_ip_set = false;
		return 0;
	}
	if (target_parse_ip(val, &addr, &ipv6))
		return -EINVAL;
	nt->local_ip = addr;
	nt->local_ipv6 = ipv6;
	nt->local_ip_set = true;
	return 0;
}

static int set_remote_ip(struct netoops_target *nt, const char *val)
{
	union inet_addr addr;
	bool ipv6;

	if (target_parse_ip(val, &addr, &ipv6))
		return -EINVAL;
	nt->remote_ip = addr;
	nt->ipv6 = ipv6;
	nt->remote_ip_set = true;
	return 0;
}

static int set_remote_mac(struct netoops_target *nt, const char *val)
{
	return target_parse_mac(val, nt->remote_mac);
}

static int set_local_port(struct netoops_target *nt, const char *val)
{
	return target_parse_port(val, &nt->local_port);
}

static int set_remote_port(struct netoops_target *nt, const char *val)
{
	return target_parse_port(val, &nt->remote_port);
}

static ssize_t show_ip(char *buf, bool set, bool ipv6,
		       const union inet_addr *addr)
{
	if (!set)
		return sysfs_emit(buf, "\n");
	if (ipv6)
		return sysfs_emit(buf, "%pI6c\n", &addr->in6);
	return sysfs_emit(buf, "%pI4\n", &addr->ip);
}

static ssize_t target_enabled_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_target(item)->enabled);
}

static ssize_t target_enabled_store(struct config_item *item,
				    const char *buf, size_t count)
{
	struct netoops_target *nt = to_target(item);
	bool enable;
	int err;

	err = kstrtobool(buf, &enable);
	if (err) {
		pr_err("target %s: enabled takes 0 or 1\n", target_name(nt));
		return err;
	}
	mutex_lock(&netoops_config_mutex);
	if (enable && !nt->enabled)
		err = target_enable(nt, true);
	else if (!enable)
		target_disable(nt);
	mutex_unlock(&netoops_config_mutex);
	return err ? err : count;
}

static ssize_t target_dev_name_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_target(item)->dev_name);
}

static ssize_t target_dev_name_store(struct config_item *item,
				     const char *buf, size_t count)
{
	return target_store(item, buf, count, "dev_name", set_dev_name);
}

/* While enabled: the address in use, which netpoll may have chosen. */
static ssize_t target_local_ip_show(struct config_item *item, char *buf)
{
	struct netoops_target *nt = to_target(item);

	if (nt->enabled)
		return show_ip(buf, true, nt->ipv6, &nt->src_ip);
	return show_ip(buf, nt->local_ip_set, nt->local_ipv6, &nt->local_ip);
}

static ssize_t target_local_ip_store(struct config_item *item,
				     const char *buf, size_t count)
{
	return target_store(item, buf, count, "local_ip", set_local_ip);
}

static ssize_t target_remote_ip_show(struct config_item *item, char *buf)
{
	struct netoops_target *nt = to_target(item);

	return show_ip(buf, nt->remote_ip_set, nt->ipv6, &nt->remote_ip);
}

static ssize_t target_remote_ip_store(struct config_item *item,
				      const char *buf, size_t count)
{
	return target_store(item, buf, count, "remote_ip", set_remote_ip);
}

static ssize_t target_local_mac_show(struct config_item *item, char *buf)
{
	struct netoops_target *nt = to_target(item);
	static const u8 none[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	mutex_lock(&netoops_config_mutex);
	if (nt->enabled)
		sysfs_emit(buf, "%pM\n", nt->np.dev->dev_addr);
	else
		sysfs_emit(buf, "%pM\n", none);
	mutex_unlock(&netoops_config_mutex);
	return strlen(buf);
}

static ssize_t target_remote_mac_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%pM\n", to_target(item)->remote_mac);
}

static ssize_t target_remote_mac_store(struct config_item *item,
				       const char *buf, size_t count)
{
	return target_store(item, buf, count, "remote_mac", set_remote_mac);
}

static ssize_t target_local_port_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_target(item)->local_port);
}

static ssize_t target_local_port_store(struct config_item *item,
				       const char *buf, size_t count)
{
	return target_store(item, buf, count, "local_port", set_local_port);
}

static ssize_t target_remote_port_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_target(item)->remote_port);
}

static ssize_t target_remote_port_store(struct config_item *item,
					const char *buf, size_t count)
{
	return target_store(item, buf, count, "remote_port", set_remote_port);
}

static ssize_t target_dumps_sent_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&to_target(item)->dumps_sent));
}

static ssize_t target_datagrams_sent_show(struct config_item *item, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&to_target(item)->datagrams_sent));
}

static ssize_t target_transmit_errors_show(struct config_item *item,
					   char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&to_target(item)->transmit_errors));
}

CONFIGFS_ATTR(target_, enabled);
CONFIGFS_ATTR(target_, dev_name);
CONFIGFS_ATTR(target_, local_ip);
CONFIGFS_ATTR(target_, remote_ip);
CONFIGFS_ATTR_RO(target_, local_mac);
CONFIGFS_ATTR(target_, remote_mac);
CONFIGFS_ATTR(target_, local_port);
CONFIGFS_ATTR(target_, remote_port);
CONFIGFS_ATTR_RO(target_, dumps_sent);
CONFIGFS_ATTR_RO(target_, datagrams_sent);
CONFIGFS_ATTR_RO(target_, transmit_errors);

static struct configfs_attribute *target_attrs[] = {
	&target_attr_enabled,
	&target_attr_dev_name,
	&target_attr_local_ip,
	&target_attr_remote_ip,
	&target_attr_local_mac,
	&target_attr_remote_mac,
	&target_attr_local_port,
	&target_attr_remote_port,
	&target_attr_dumps_sent,
	&target_attr_datagrams_sent,
	&target_attr_transmit_errors,
	NULL,
};

/* The memory of a target in configfs is freed here, and only here. */
static void target_release(struct config_item *item)
{
	kfree(to_target(item));
}

static struct configfs_item_operations target_item_ops = {
	.release = target_release,
};

static const struct config_item_type target_type = {
	.ct_item_ops = &target_item_ops,
	.ct_attrs = target_attrs,
	.ct_owner = THIS_MODULE,
};

/* ---- the netoops group: mkdir / rmdir ------------------------------------ */

static struct netoops_target *target_find_cmdline(const char *name)
{
	struct netoops_target *nt;

	if (strncmp(name, CMDLINE_PREFIX, strlen(CMDLINE_PREFIX)))
		return NULL;
	list_for_each_entry(nt, &netoops_targets, list)
		if (!nt->in_configfs && !strcmp(nt->name, name))
			return nt;
	return NULL;
}

static struct config_item *target_make_item(struct config_group *group,
					    const char *name)
{
	struct netoops_target *nt;

	mutex_lock(&netoops_config_mutex);
	nt = target_find_cmdline(name);
	if (!nt) {
		nt = target_alloc(name);
		if (!nt) {
			mutex_unlock(&netoops_config_mutex);
			return ERR_PTR(-ENOMEM);
		}
		list_add_tail(&nt->list, &netoops_targets);
	}
	nt->in_configfs = true;
	config_item_init_type_name(&nt->item, name, &target_type);
	mutex_unlock(&netoops_config_mutex);
	return &nt->item;
}

static void target_drop_item(struct config_group *group,
			     struct config_item *item)
{
	struct netoops_target *nt = to_target(item);

	mutex_lock(&netoops_config_mutex);
	target_disable(nt);
	list_del(&nt->list);
	mutex_unlock(&netoops_config_mutex);
	config_item_put(item);
}

static struct configfs_group_operations netoops_group_ops = {
	.make_item = target_make_item,
	.drop_item = target_drop_item,
};

static const struct config_item_type netoops_subsys_type = {
	.ct_group_ops = &netoops_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem netoops_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "netoops",
			.ci_type = &netoops_subsys_type,
		},
	},
};

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
	if (*field[0] && target_parse_port(field[0], &nt->local_port))
		return -EINVAL;
	if (*field[1]) {
		if (target_parse_ip(field[1], &nt->local_ip, &nt->local_ipv6))
			return -EINVAL;
		nt->local_ip_set = true;
	}
	if (*field[2] && target_parse_dev(field[2], nt->dev_name))
		return -EINVAL;
	if (*field[3] && target_parse_port(field[3], &nt->remote_port))
		return -EINVAL;
	if (target_parse_ip(field[4], &nt->remote_ip, &nt->ipv6))
		return -EINVAL;
	nt->remote_ip_set = true;
	if (mac && *mac && target_parse_mac(mac, nt->remote_mac))
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
		target_enable(nt, false);
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
		target_disable(nt);
		list_del(&nt->list);
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

	config_group_init(&netoops_subsys.su_group);
	mutex_init(&netoops_subsys.su_mutex);
	err = configfs_register_subsystem(&netoops_subsys);
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
	configfs_unregister_subsystem(&netoops_subsys);
	target_free_params();
	unregister_netdevice_notifier(&target_netdev_nb);
	flush_work(&target_cleanup);
}
