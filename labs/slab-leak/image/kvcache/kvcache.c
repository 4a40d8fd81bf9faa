// SPDX-License-Identifier: GPL-2.0
/*
 * kvcache — a small in-kernel key/value cache, /dev/kvcache.
 *
 * One command per write():
 *
 *   get <key>           look a key up: the write succeeds on a hit and
 *                       fails with ENOENT on a miss
 *   put <key> <value>   store a value (keys up to 31 bytes, values up to 63)
 *   del <key>           forget a key
 *
 * Reading the device returns the cache's counters.
 */
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/uaccess.h>

#define KVC_KEY_MAX	32	/* longest key, with its NUL */
#define KVC_VAL_MAX	64	/* longest value, with its NUL */
#define KVC_CMD_MAX	64	/* longest command a write() may carry */
#define KVC_ENTRIES_MAX	4096	/* the cache stops growing here */

enum kvc_op { KVC_GET, KVC_PUT, KVC_DEL };

/* One request, parsed: it lives for the duration of one write(). */
struct kvc_req {
	enum kvc_op op;
	u32 hash;
	u64 start_ns;
	char raw[KVC_CMD_MAX];
	char key[KVC_KEY_MAX];
	char val[KVC_VAL_MAX];
};

/* One cached key. */
struct kvc_entry {
	struct hlist_node node;
	u32 hash;
	char key[KVC_KEY_MAX];
	char val[KVC_VAL_MAX];
};

static DEFINE_HASHTABLE(kvc_table, 8);
static DEFINE_MUTEX(kvc_lock);
static struct {
	u64 requests, hits, misses, puts, entries;
} kvc_stats;

/* Allocates a request and copies the command into it from user space. */
static noinline struct kvc_req *kvc_req_new(const char __user *buf, size_t len)
{
	struct kvc_req *req = kzalloc(sizeof(*req), GFP_KERNEL);

	if (!req)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(req->raw, buf, len)) {
		kfree(req);
		return ERR_PTR(-EFAULT);
	}
	req->raw[len] = '\0';
	req->start_ns = ktime_get_ns();
	return req;
}

static int kvc_parse(struct kvc_req *req)
{
	char *cmd = strim(req->raw);

	if (sscanf(cmd, "get %31s", req->key) == 1)
		req->op = KVC_GET;
	else if (sscanf(cmd, "put %31s %63s", req->key, req->val) == 2)
		req->op = KVC_PUT;
	else if (sscanf(cmd, "del %31s", req->key) == 1)
		req->op = KVC_DEL;
	else
		return -EINVAL;
	req->hash = full_name_hash(NULL, req->key, strlen(req->key));
	return 0;
}

/* Called with kvc_lock held. */
static struct kvc_entry *kvc_find(const struct kvc_req *req)
{
	struct kvc_entry *e;

	hash_for_each_possible(kvc_table, e, node, req->hash)
		if (e->hash == req->hash && !strcmp(e->key, req->key))
			return e;
	return NULL;
}

/* Called with kvc_lock held. */
static int kvc_store(const struct kvc_req *req)
{
	struct kvc_entry *e = kvc_find(req);

	if (!e) {
		if (kvc_stats.entries >= KVC_ENTRIES_MAX)
			return -ENOSPC;
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (!e)
			return -ENOMEM;
		e->hash = req->hash;
		strscpy(e->key, req->key, sizeof(e->key));
		hash_add(kvc_table, &e->node, e->hash);
		kvc_stats.entries++;
	}
	strscpy(e->val, req->val, sizeof(e->val));
	kvc_stats.puts++;
	return 0;
}

/* Called with kvc_lock held. */
static void kvc_delete(const struct kvc_req *req)
{
	struct kvc_entry *e = kvc_find(req);

	if (e) {
		hash_del(&e->node);
		kfree(e);
		kvc_stats.entries--;
	}
}

static ssize_t kvc_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct kvc_req *req;
	int ret;

	if (len == 0 || len >= KVC_CMD_MAX)
		return -EINVAL;
	req = kvc_req_new(buf, len);
	if (IS_ERR(req))
		return PTR_ERR(req);
	ret = kvc_parse(req);
	if (ret)
		goto out;

	mutex_lock(&kvc_lock);
	kvc_stats.requests++;
	switch (req->op) {
	case KVC_GET:
		if (kvc_find(req)) {
			/* The fast path: a hit needs nothing but the counter. */
			kvc_stats.hits++;
			mutex_unlock(&kvc_lock);
			return len;
		}
		kvc_stats.misses++;
		ret = -ENOENT;
		break;
	case KVC_PUT:
		ret = kvc_store(req);
		break;
	case KVC_DEL:
		kvc_delete(req);
		break;
	}
	mutex_unlock(&kvc_lock);
out:
	kfree(req);
	return ret ? ret : len;
}

static ssize_t kvc_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	char out[160];
	int n;

	mutex_lock(&kvc_lock);
	n = scnprintf(out, sizeof(out), "requests %llu hits %llu misses %llu puts %llu entries %llu\n",
		      kvc_stats.requests, kvc_stats.hits, kvc_stats.misses, kvc_stats.puts, kvc_stats.entries);
	mutex_unlock(&kvc_lock);
	return simple_read_from_buffer(buf, len, ppos, out, n);
}

static const struct file_operations kvc_fops = {
	.owner		= THIS_MODULE,
	.read		= kvc_read,
	.write		= kvc_write,
	.llseek		= no_llseek,
};

static struct miscdevice kvc_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kvcache",
	.fops	= &kvc_fops,
	.mode	= 0666,
};

static int __init kvc_init(void)
{
	int ret = misc_register(&kvc_misc);

	if (!ret)
		pr_info("kvcache: /dev/kvcache ready\n");
	return ret;
}

static void __exit kvc_exit(void)
{
	struct kvc_entry *e;
	struct hlist_node *tmp;
	int bkt;

	misc_deregister(&kvc_misc);
	hash_for_each_safe(kvc_table, bkt, tmp, e, node) {
		hash_del(&e->node);
		kfree(e);
	}
}

module_init(kvc_init);
module_exit(kvc_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("2.4");
MODULE_DESCRIPTION("kvcache: an in-kernel key/value cache (kdlabs slab-leak lab)");
