// SPDX-License-Identifier: GPL-2.0
/*
 * commitq — an append-only record log, /dev/commitq.
 *
 *   write()   appends one record (1..4096 bytes) to the log's pending list
 *   fsync()   commits: hands the pending records to the commit worker, which
 *             stores each one in a 512-byte slot of the device, and waits
 *             until the worker is done; returns the commit's result
 *   read()    the log's counters (lock-free: never waits for a commit)
 *
 * One commit at a time: fsync() holds the log's lock for the whole commit, so
 * writers and other committers wait until the commit in flight has finished.
 *
 * /sys/class/misc/commitq/abort — write 1 to fail the commit in flight and
 * every later write and fsync with -EIO, as a controller reset does: the way
 * out for tasks stuck on a device that stopped answering. Reload the module to
 * bring the log back.
 */
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define COMMITQ_REC_MAX	4096	/* longest record a write() may append */
#define COMMITQ_SLOT	512	/* size of a slot of the device */
#define COMMITQ_SLOTS	64	/* slots in the device's ring */

struct commitq_rec {
	struct list_head node;
	size_t len;
	char data[];
};

static struct commitq_log {
	struct mutex lock;		/* the pending list; fsync() holds it for a whole commit */
	struct list_head pending;	/* appended, not yet committed */
	struct list_head batch;		/* the commit in flight, owned by the worker */
	struct work_struct commit_work;
	struct completion done;		/* the worker signals it when a commit has finished */
	int err;			/* the finished commit's result, for the committer */
	bool offline;			/* aborted: every write and fsync fails with -EIO */
	unsigned int next_slot;
	char slots[COMMITQ_SLOTS][COMMITQ_SLOT];
	atomic64_t appended, committed, commits, failed;
} cq;

static void commitq_free_list(struct list_head *list)
{
	struct commitq_rec *r, *tmp;

	list_for_each_entry_safe(r, tmp, list, node) {
		list_del(&r->node);
		kfree(r);
	}
}

/* The commit worker: stores the batch in the device's slots, then wakes the committer. */
static void commitq_commit_work(struct work_struct *work)
{
	struct commitq_rec *r, *tmp;

	list_for_each_entry_safe(r, tmp, &cq.batch, node) {
		if (r->len > COMMITQ_SLOT) {
			pr_warn("commitq: a %zu-byte record does not fit a %d-byte slot; commit rejected\n",
				r->len, COMMITQ_SLOT);
			commitq_free_list(&cq.batch);
			atomic64_inc(&cq.failed);
			cq.err = -EFBIG;
			return;
		}
		memcpy(cq.slots[cq.next_slot], r->data, r->len);
		cq.next_slot = (cq.next_slot + 1) % COMMITQ_SLOTS;
		list_del(&r->node);
		kfree(r);
		atomic64_inc(&cq.committed);
	}
	atomic64_inc(&cq.commits);
	cq.err = 0;
	complete(&cq.done);
}

static ssize_t commitq_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct commitq_rec *r;

	if (len == 0 || len > COMMITQ_REC_MAX)
		return -EINVAL;
	r = kmalloc(struct_size(r, data, len), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->len = len;
	if (copy_from_user(r->data, buf, len)) {
		kfree(r);
		return -EFAULT;
	}

	mutex_lock(&cq.lock);
	if (cq.offline) {
		mutex_unlock(&cq.lock);
		kfree(r);
		return -EIO;
	}
	list_add_tail(&r->node, &cq.pending);
	atomic64_inc(&cq.appended);
	mutex_unlock(&cq.lock);
	return len;
}

static int commitq_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	int ret = 0;

	mutex_lock(&cq.lock);
	if (cq.offline) {
		ret = -EIO;
		goto out;
	}
	if (list_empty(&cq.pending))
		goto out;
	list_splice_init(&cq.pending, &cq.batch);
	reinit_completion(&cq.done);
	schedule_work(&cq.commit_work);
	wait_for_completion(&cq.done);
	ret = READ_ONCE(cq.offline) ? -EIO : cq.err;
out:
	mutex_unlock(&cq.lock);
	return ret;
}

static ssize_t commitq_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	char out[160];
	int n;

	n = scnprintf(out, sizeof(out), "appended %lld committed %lld commits %lld failed %lld%s\n",
		      (long long)atomic64_read(&cq.appended), (long long)atomic64_read(&cq.committed),
		      (long long)atomic64_read(&cq.commits), (long long)atomic64_read(&cq.failed),
		      READ_ONCE(cq.offline) ? " offline" : "");
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

/* The emergency lever: fail the commit in flight and everything after it. */
static ssize_t abort_store(struct device *dev, struct device_attribute *attr, const char *buf, size_t count)
{
	bool on;

	if (kstrtobool(buf, &on))
		return -EINVAL;
	if (on) {
		WRITE_ONCE(cq.offline, true);
		complete_all(&cq.done);
		pr_warn("commitq: aborted: the commit in flight and all later writes and commits fail with -EIO\n");
	}
	return count;
}
static DEVICE_ATTR_WO(abort);

static struct attribute *commitq_attrs[] = {
	&dev_attr_abort.attr,
	NULL,
};
ATTRIBUTE_GROUPS(commitq);

static const struct file_operations commitq_fops = {
	.owner		= THIS_MODULE,
	.read		= commitq_read,
	.write		= commitq_write,
	.fsync		= commitq_fsync,
	.llseek		= no_llseek,
};

static struct miscdevice commitq_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "commitq",
	.fops	= &commitq_fops,
	.groups	= commitq_groups,
	.mode	= 0666,
};

static int __init commitq_init(void)
{
	int ret;

	mutex_init(&cq.lock);
	INIT_LIST_HEAD(&cq.pending);
	INIT_LIST_HEAD(&cq.batch);
	INIT_WORK(&cq.commit_work, commitq_commit_work);
	init_completion(&cq.done);
	ret = misc_register(&commitq_misc);
	if (!ret)
		pr_info("commitq: /dev/commitq ready (%d slots of %d bytes)\n", COMMITQ_SLOTS, COMMITQ_SLOT);
	return ret;
}

static void __exit commitq_exit(void)
{
	misc_deregister(&commitq_misc);
	flush_work(&cq.commit_work);
	commitq_free_list(&cq.batch);
	commitq_free_list(&cq.pending);
}

module_init(commitq_init);
module_exit(commitq_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("2.1");
MODULE_DESCRIPTION("commitq: an append-only record log (kdlabs hung-task lab)");
