// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replaces pipe_read(), where a reader of an empty pipe or FIFO sleeps, by
 * a version written here that counts its calls.  It reads as the original
 * does: whole buffers or the part asked for, one packet per read in packet
 * mode, EOF once no writer is left, EAGAIN when it would block, and the
 * same wakeups of writers and of the next reader.  Notification pipes
 * (CONFIG_WATCH_QUEUE) are not handled: the module refuses to build there.
 * anon=1 replaces anon_pipe_read() instead, the same read without the
 * access time, which FIFOs' fifo_pipe_read() updates after calling it
 * (the two split pipe_read() in v6.15).
 */
#include <linux/fs.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/uio.h>

#ifdef CONFIG_WATCH_QUEUE
#error "notification pipes need the watch queue's locking and loss notes"
#endif

static atomic_long_t calls = ATOMIC_LONG_INIT(0);

static int calls_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&calls));
}

static const struct kernel_param_ops calls_ops = {
	.get = calls_get,
};
module_param_cb(calls, &calls_ops, NULL, 0444);

static bool anon;
module_param(anon, bool, 0444);
MODULE_PARM_DESC(anon, "replace anon_pipe_read() (v6.15 on), not pipe_read()");

/* What a sleeping reader waits for, read without the pipe's mutex. */
static bool pipe_has_data_or_no_writer(struct pipe_inode_info *pipe)
{
	return !pipe_empty(READ_ONCE(pipe->head), READ_ONCE(pipe->tail)) ||
	       !READ_ONCE(pipe->writers);
}

/*
 * Copy from the buffers at the tail, releasing those emptied, until @want
 * bytes or the buffers seen at @head are used up.  Returns the bytes
 * copied, or an error if nothing was.
 */
static ssize_t pipe_copy_out(struct pipe_inode_info *pipe, unsigned int head,
			     struct iov_iter *to, size_t want)
{
	unsigned int tail = pipe->tail;
	ssize_t got = 0;

	while (want && !pipe_empty(head, tail)) {
		struct pipe_buffer *buf = &pipe->bufs[tail & (pipe->ring_size - 1)];
		size_t n = min_t(size_t, buf->len, want);
		int err = pipe_buf_confirm(pipe, buf);

		if (!err && copy_page_to_iter(buf->page, buf->offset, n, to) < n)
			err = -EFAULT;
		if (err)
			return got ? got : err;
		got += n;
		want -= n;
		buf->offset += n;
		buf->len -= n;
		if (buf->flags & PIPE_BUF_FLAG_PACKET) {
			buf->len = 0;	/* the rest of a packet is dropped */
			want = 0;
		}
		if (!buf->len) {
			pipe_buf_release(pipe, buf);
			pipe->tail = ++tail;
		}
	}
	return got;
}

static ssize_t livepatch_pipe_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct pipe_inode_info *pipe = file->private_data;
	size_t want = iov_iter_count(to);
	bool was_full, wake_reader = false;
	ssize_t got;

	atomic_long_inc(&calls);
	if (!want)
		return 0;

	mutex_lock(&pipe->mutex);
	was_full = pipe_full(pipe->head, pipe->tail, pipe->max_usage);
	for (;;) {
		/* Acquire: the buffers up to head are filled in. */
		got = pipe_copy_out(pipe, smp_load_acquire(&pipe->head), to, want);
		if (got || !pipe->writers)
			break;
		if ((file->f_flags & O_NONBLOCK) || (iocb->ki_flags & IOCB_NOWAIT)) {
			got = -EAGAIN;
			break;
		}
		mutex_unlock(&pipe->mutex);

		/* A zero-length buffer may have been dropped from a full pipe. */
		if (was_full)
			wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
		kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);
		if (wait_event_interruptible_exclusive(pipe->rd_wait,
						       pipe_has_data_or_no_writer(pipe)))
			return -ERESTARTSYS;

		mutex_lock(&pipe->mutex);
		was_full = pipe_full(pipe->head, pipe->tail, pipe->max_usage);
		wake_reader = true;
	}
	/* Exclusive waits: pass the wakeup on if data is left. */
	if (pipe_empty(pipe->head, pipe->tail))
		wake_reader = false;
	mutex_unlock(&pipe->mutex);

	if (was_full)
		wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
	if (wake_reader)
		wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);
	if (got > 0 && !anon)
		file_accessed(file);
	return got;
}

static struct klp_func funcs[] = {
	{
		.old_name = "pipe_read",
		.new_func = livepatch_pipe_read,
	}, { }
};

static struct klp_object objs[] = {
	{
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_patch_pipe_read_init(void)
{
	if (anon)
		funcs[0].old_name = "anon_pipe_read";
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_pipe_read_exit(void)
{
}

module_init(klp_test_patch_pipe_read_init);
module_exit(klp_test_patch_pipe_read_exit);
MODULE_DESCRIPTION("Live patch test: pipe_read() or anon_pipe_read(), where readers of an empty pipe sleep");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
