// SPDX-License-Identifier: GPL-2.0
/*
 * faulty — a small record-queue device, /dev/faulty.
 *
 * Every open file is a channel with its own queue. Commands are written as
 * text, one per write():
 *
 *   submit <n>   queue n records (1..64); the device drains a full queue at once
 *   reset        drop the channel's queue, e.g. between two batches
 *
 * Reading the device returns the channel's counters.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define FAULTY_DEPTH	64	/* records a queue holds before the device drains it */
#define FAULTY_CMD_MAX	32	/* longest command a write() may carry */

struct faulty_queue {
	unsigned int depth;
	unsigned int used;
	u64 records;
	u64 drains;
};

struct faulty_chan {
	struct mutex lock;
	struct faulty_queue *queue;
	u64 resets;
};

static atomic64_t faulty_records_total = ATOMIC64_INIT(0);

static struct faulty_queue *faulty_queue_alloc(void)
{
	struct faulty_queue *q = kzalloc(sizeof(*q), GFP_KERNEL);

	if (q)
		q->depth = FAULTY_DEPTH;
	return q;
}

/* Queues n records on the channel; a full queue is drained first. */
noinline int faulty_submit(struct faulty_chan *ch, unsigned int n)
{
	struct faulty_queue *q = ch->queue;

	if (n == 0 || n > FAULTY_DEPTH)
		return -EINVAL;
	if (q->used + n > q->depth) {
		q->used = 0;
		q->drains++;
	}
	q->used += n;
	q->records += n;
	atomic64_add(n, &faulty_records_total);
	return 0;
}

/* Drops the channel's queue and its counters. */
static noinline int faulty_reset(struct faulty_chan *ch)
{
	kfree(ch->queue);
	ch->queue = NULL;	/* faulty_open() allocates the queue of a channel */
	ch->resets++;
	return 0;
}

static int faulty_open(struct inode *inode, struct file *file)
{
	struct faulty_chan *ch = kzalloc(sizeof(*ch), GFP_KERNEL);

	if (!ch)
		return -ENOMEM;
	ch->queue = faulty_queue_alloc();
	if (!ch->queue) {
		kfree(ch);
		return -ENOMEM;
	}
	mutex_init(&ch->lock);
	file->private_data = ch;
	return 0;
}

static int faulty_release(struct inode *inode, struct file *file)
{
	struct faulty_chan *ch = file->private_data;

	kfree(ch->queue);
	kfree(ch);
	return 0;
}

static ssize_t faulty_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct faulty_chan *ch = file->private_data;
	char cmd[FAULTY_CMD_MAX];
	unsigned int n;
	int ret;

	if (len == 0 || len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, buf, len))
		return -EFAULT;
	cmd[len] = '\0';
	strim(cmd);

	mutex_lock(&ch->lock);
	if (sscanf(cmd, "submit %u", &n) == 1)
		ret = faulty_submit(ch, n);
	else if (strcmp(cmd, "reset") == 0)
		ret = faulty_reset(ch);
	else
		ret = -EINVAL;
	mutex_unlock(&ch->lock);
	return ret ? ret : len;
}

static ssize_t faulty_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct faulty_chan *ch = file->private_data;
	char out[160];
	int n;

	mutex_lock(&ch->lock);
	n = scnprintf(out, sizeof(out), "records %llu drains %llu resets %llu total %lld\n",
		      ch->queue ? ch->queue->records : 0, ch->queue ? ch->queue->drains : 0,
		      ch->resets, (long long)atomic64_read(&faulty_records_total));
	mutex_unlock(&ch->lock);
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

static const struct file_operations faulty_fops = {
	.owner		= THIS_MODULE,
	.open		= faulty_open,
	.release	= faulty_release,
	.read		= faulty_read,
	.write		= faulty_write,
	.llseek		= no_llseek,
};

static struct miscdevice faulty_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "faulty",
	.fops	= &faulty_fops,
	.mode	= 0666,
};

static int __init faulty_init(void)
{
	int ret = misc_register(&faulty_misc);

	if (!ret)
		pr_info("faulty: /dev/faulty ready (queue depth %d)\n", FAULTY_DEPTH);
	return ret;
}

static void __exit faulty_exit(void)
{
	misc_deregister(&faulty_misc);
}

module_init(faulty_init);
module_exit(faulty_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("1.3");
MODULE_DESCRIPTION("faulty: a record-queue device (kdlabs driver-panic lab)");
