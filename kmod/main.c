// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: module init/exit, the netoops= parameter and the sysfs knobs in /sys/kernel/netoops/. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uuid.h>
#include "compat.h"
#include "netoops.h"

#define DUMP_BYTES_MIN		1024
#define OOM_INTERVAL_MAX	86400

struct netoops_settings netoops_settings = {
	.dump_bytes = 65536,
	.copies = 2,
	.reasons = BIT(NETOOPS_OOPS) | BIT(NETOOPS_PANIC),
	.oom_interval = 60,
};

static const char * const reason_names[NETOOPS_NR_REASONS] = {
	[NETOOPS_OOPS] = NETOOPS_REASON_OOPS,
	[NETOOPS_PANIC] = NETOOPS_REASON_PANIC,
	[NETOOPS_OOM] = NETOOPS_REASON_OOM,
	[NETOOPS_TEST] = NETOOPS_REASON_TEST,
	[NETOOPS_EMERG] = NETOOPS_REASON_EMERG,
	[NETOOPS_SHUTDOWN] = NETOOPS_REASON_SHUTDOWN,
};

/* Reasons that netoops_reasons may select; oom and test have their own knobs. */
#define REASONS_SELECTABLE (BIT(NETOOPS_OOPS) | BIT(NETOOPS_PANIC) | \
			    BIT(NETOOPS_EMERG) | BIT(NETOOPS_SHUTDOWN))

const char *netoops_reason_name(enum netoops_reason reason)
{
	return reason_names[reason];
}

static char netoops_param[1024];
module_param_string(netoops, netoops_param, sizeof(netoops_param), 0400);
MODULE_PARM_DESC(netoops,
		 "targets: [src-port]@[src-ip]/[dev],[tgt-port]@<tgt-ip>/[tgt-macaddr], separated by ;");

#ifndef MODULE
/* Built in: netoops= on the kernel command line, as netconsole= works. */
static int __init netoops_setup(char *str)
{
	strscpy(netoops_param, str, sizeof(netoops_param));
	return 1;
}
__setup("netoops=", netoops_setup);
#endif

/* ---- /sys/kernel/netoops/ -------------------------------------------------- */

static ssize_t netoops_record_oom_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(netoops_settings.record_oom));
}

static ssize_t netoops_record_oom_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	bool v;

	if (kstrtobool(buf, &v))
		return -EINVAL;
	WRITE_ONCE(netoops_settings.record_oom, v);
	return count;
}

static ssize_t netoops_boot_id_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%16phN\n", netoops_settings.boot_id);
}

/* A UUID, with dashes (as in /proc/sys/kernel/random/boot_id) or without. */
static int parse_boot_id(const char *buf, size_t count, u8 *id)
{
	uuid_t uuid;

	if (count && buf[count - 1] == '\n')
		count--;
	if (count == UUID_STRING_LEN) {
		char s[UUID_STRING_LEN + 1];

		memcpy(s, buf, count);
		s[count] = '\0';
		if (uuid_parse(s, &uuid))
			return -EINVAL;
		memcpy(id, uuid.b, sizeof(uuid.b));
		return 0;
	}
	if (count != 2 * sizeof(uuid.b) || hex2bin(id, buf, sizeof(uuid.b)))
		return -EINVAL;
	return 0;
}

static ssize_t netoops_boot_id_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	u8 id[16];

	if (parse_boot_id(buf, count, id)) {
		pr_err("netoops_boot_id: expected a UUID, with or without dashes\n");
		return -EINVAL;
	}
	mutex_lock(&netoops_config_mutex);
	memcpy(netoops_settings.boot_id, id, sizeof(id));
	mutex_unlock(&netoops_config_mutex);
	return count;
}

static ssize_t netoops_dump_bytes_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(netoops_settings.dump_bytes));
}

static ssize_t netoops_dump_bytes_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	unsigned int v;
	int err;

	if (kstrtouint(buf, 0, &v) || v < DUMP_BYTES_MIN ||
	    v > NETOOPS_MAX_DUMP) {
		pr_err("netoops_dump_bytes: expected %u .. %u\n",
		       DUMP_BYTES_MIN, NETOOPS_MAX_DUMP);
		return -EINVAL;
	}
	mutex_lock(&netoops_config_mutex);
	err = netoops_dump_resize(v);
	if (!err)
		WRITE_ONCE(netoops_settings.dump_bytes, v);
	mutex_unlock(&netoops_config_mutex);
	return err ? err : count;
}

static ssize_t netoops_copies_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(netoops_settings.copies));
}

static ssize_t netoops_copies_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v < 1 || v > NETOOPS_MAX_COPIES) {
		pr_err("netoops_copies: expected 1 .. %u\n",
		       NETOOPS_MAX_COPIES);
		return -EINVAL;
	}
	WRITE_ONCE(netoops_settings.copies, v);
	return count;
}

static ssize_t netoops_fec_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(netoops_settings.fec));
}

static ssize_t netoops_fec_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v > NETOOPS_FEC_MAX_PCT) {
		pr_err("netoops_fec: expected 0 (no parity) .. %u (parity datagrams per 100 parts)\n",
		       NETOOPS_FEC_MAX_PCT);
		return -EINVAL;
	}
	WRITE_ONCE(netoops_settings.fec, v);
	return count;
}

static ssize_t netoops_reasons_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	unsigned long reasons = READ_ONCE(netoops_settings.reasons);
	int r, len = 0;

	for (r = 0; r < NETOOPS_NR_REASONS; r++)
		if (reasons & BIT(r))
			len += sysfs_emit_at(buf, len, "%s%s", len ? "," : "",
					     reason_names[r]);
	return len + sysfs_emit_at(buf, len, "\n");
}

/* A comma-separated list of oops, panic, emerg, shutdown; may be empty. */
static int parse_reasons(char *list, unsigned long *reasons)
{
	char *word;
	int r;

	*reasons = 0;
	while ((word = strsep(&list, ","))) {
		word = strim(word);
		if (!*word)
			continue;
		r = match_string(reason_names, NETOOPS_NR_REASONS, word);
		if (r < 0 || !(BIT(r) & REASONS_SELECTABLE))
			return -EINVAL;
		*reasons |= BIT(r);
	}
	return 0;
}

static ssize_t netoops_reasons_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	unsigned long reasons;
	char list[64];

	if (count >= sizeof(list))
		return -EINVAL;
	memcpy(list, buf, count);
	list[count] = '\0';
	if (parse_reasons(list, &reasons)) {
		pr_err("netoops_reasons: expected a comma-separated list of oops, panic, emerg, shutdown\n");
		return -EINVAL;
	}
	WRITE_ONCE(netoops_settings.reasons, reasons);
	return count;
}

static ssize_t netoops_trigger_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	int err;

	if (!sysfs_streq(buf, NETOOPS_REASON_TEST)) {
		pr_err("netoops_trigger: write \"test\" to send a test dump\n");
		return -EINVAL;
	}
	err = netoops_dump_test();
	return err ? err : count;
}

static ssize_t netoops_oom_interval_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(netoops_settings.oom_interval));
}

static ssize_t netoops_oom_interval_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v > OOM_INTERVAL_MAX) {
		pr_err("netoops_oom_interval: expected 0 .. %u seconds\n",
		       OOM_INTERVAL_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(netoops_settings.oom_interval, v);
	return count;
}

/* Root only: the original's world-writable knobs were a hole. */
static struct kobj_attribute netoops_attrs[] = {
	__ATTR(netoops_record_oom, 0644, netoops_record_oom_show,
	       netoops_record_oom_store),
	__ATTR(netoops_boot_id, 0644, netoops_boot_id_show,
	       netoops_boot_id_store),
	__ATTR(netoops_dump_bytes, 0644, netoops_dump_bytes_show,
	       netoops_dump_bytes_store),
	__ATTR(netoops_copies, 0644, netoops_copies_show,
	       netoops_copies_store),
	__ATTR(netoops_reasons, 0644, netoops_reasons_show,
	       netoops_reasons_store),
	__ATTR(netoops_trigger, 0200, NULL, netoops_trigger_store),
	__ATTR(netoops_oom_interval, 0644, netoops_oom_interval_show,
	       netoops_oom_interval_store),
	__ATTR(netoops_fec, 0644, netoops_fec_show, netoops_fec_store),
};

static struct attribute *netoops_attr_list[ARRAY_SIZE(netoops_attrs) +
					   NETOOPS_AUTH_NR_ATTRS + 1];

static const struct attribute_group netoops_attr_group = {
	.attrs = netoops_attr_list,
};

static struct kobject *netoops_kobj;

static int netoops_sysfs_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(netoops_attrs); i++)
		netoops_attr_list[i] = &netoops_attrs[i].attr;
	for (i = 0; i < NETOOPS_AUTH_NR_ATTRS; i++)	/* auth.c */
		netoops_attr_list[ARRAY_SIZE(netoops_attrs) + i] =
			&netoops_auth_attrs[i].attr;
	netoops_kobj = kobject_create_and_add("netoops", kernel_kobj);
	if (!netoops_kobj)
		return -ENOMEM;
	err = sysfs_create_group(netoops_kobj, &netoops_attr_group);
	if (err)
		kobject_put(netoops_kobj);
	return err;
}

static void netoops_sysfs_exit(void)
{
	sysfs_remove_group(netoops_kobj, &netoops_attr_group);
	kobject_put(netoops_kobj);
}

/* ---- init / exit ----------------------------------------------------------- */

static int __init netoops_init(void)
{
	int err;

	get_random_bytes(netoops_settings.boot_id,
			 sizeof(netoops_settings.boot_id));
	err = netoops_dump_init();
	if (err)
		return err;
	err = netoops_targets_init(netoops_param);
	if (err)
		goto exit_dump;
	err = netoops_sysfs_init();
	if (err)
		goto exit_targets;
	pr_info("ready, boot id %16phN\n", netoops_settings.boot_id);
	return 0;

exit_targets:
	netoops_targets_exit();
exit_dump:
	netoops_dump_exit();
	return err;
}

static void __exit netoops_exit(void)
{
	netoops_sysfs_exit();
	netoops_dump_exit();
	netoops_targets_exit();
	netoops_auth_exit();
}

/*
 * Built in: after every late_initcall, so the network drivers are probed and ip=
 * (ip_auto_config, a late_initcall linked after drivers/) has given the device the
 * address a target without src-ip needs. A module: module_init.
 */
late_initcall_sync(netoops_init);
module_exit(netoops_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The netoops developers");
MODULE_DESCRIPTION("Send the kernel log over UDP on oops, panic and OOM");
