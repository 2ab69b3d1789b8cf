// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the configfs interface of the targets, /sys/kernel/config/netoops/. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
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

static struct netoops_target *to_target(struct config_item *item)
{
	return container_of(item, struct netoops_target, item);
}

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
		       nt->name, attr);
		err = -EBUSY;
		goto out_unlock;
	}
	err = target_arg(buf, count, val, sizeof(val));
	if (!err)
		err = set(nt, val);
	if (err == -EINVAL)
		pr_err("target %s: invalid %s '%.*s'\n", nt->name, attr,
		       (int)min_t(size_t, count, 64), buf);
out_unlock:
	mutex_unlock(&netoops_config_mutex);
	return err ? err : count;
}

static int set_dev_name(struct netoops_target *nt, const char *val)
{
	struct net_device *dev;
	char name[IFNAMSIZ];

	if (netoops_parse_dev(val, name))
		return -EINVAL;
	dev = dev_get_by_name(current->nsproxy->net_ns, name);
	if (!dev) {
		pr_err("target %s: no network device %s\n",
		       nt->name, name);
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
	if (netoops_parse_ip(val, &addr, &ipv6))
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

	if (netoops_parse_ip(val, &addr, &ipv6))
		return -EINVAL;
	nt->remote_ip = addr;
	nt->ipv6 = ipv6;
	nt->remote_ip_set = true;
	return 0;
}

static int set_remote_mac(struct netoops_target *nt, const char *val)
{
	return netoops_parse_mac(val, nt->remote_mac);
}

static int set_local_port(struct netoops_target *nt, const char *val)
{
	return netoops_parse_port(val, &nt->local_port);
}

static int set_remote_port(struct netoops_target *nt, const char *val)
{
	return netoops_parse_port(val, &nt->remote_port);
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
		pr_err("target %s: enabled takes 0 or 1\n", nt->name);
		return err;
	}
	mutex_lock(&netoops_config_mutex);
	if (enable && !nt->enabled)
		err = netoops_target_enable(nt, true);
	else if (!enable)
		netoops_target_disable(nt);
	mutex_unlock(&netoops_config_mutex);
	return err ? err : count;
}

static ssize_t target_dev_name_show(struct config_item *item, char *buf)
{
	char name[IFNAMSIZ];

	netoops_target_dev_name(to_target(item), name);
	return sysfs_emit(buf, "%s\n", name);
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
	ssize_t len;

	/* the mutex keeps the device bound while its address is read */
	mutex_lock(&netoops_config_mutex);
	len = sysfs_emit(buf, "%pM\n", nt->enabled ? nt->np.dev->dev_addr : none);
	mutex_unlock(&netoops_config_mutex);
	return len;
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

static struct config_item *target_make_item(struct config_group *group,
					    const char *name)
{
	struct netoops_target *nt;

	mutex_lock(&netoops_config_mutex);
	nt = netoops_target_get(name);
	if (!nt) {
		mutex_unlock(&netoops_config_mutex);
		return ERR_PTR(-ENOMEM);
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
	netoops_target_remove(nt);
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

int netoops_configfs_init(void)
{
	config_group_init(&netoops_subsys.su_group);
	mutex_init(&netoops_subsys.su_mutex);
	return configfs_register_subsystem(&netoops_subsys);
}

/* configfs pins the module while targets exist there: none are left. */
void netoops_configfs_exit(void)
{
	configfs_unregister_subsystem(&netoops_subsys);
}
