// udp_batch: reads a bound UDP socket with recvmmsg(2), many datagrams per system call and one
// call into JavaScript per batch (and, for bench/udp only, floods a socket with sendmmsg(2)).
// node:dgram makes one recvmsg and one JavaScript callback per datagram (libuv's
// uv_udp_recv_start): on a flood that path, not our code, is the ceiling.
//
// It reads a dup(2) of the socket's descriptor, watched by a uv_poll_t of its own, so that
// node:dgram keeps the original for sending and closing (its own reading is stopped first).
// N-API (node_api.h) keeps the binary ABI-stable: one build serves Node 20, 22 and 24.

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

// Up to this many datagrams per recvmmsg; the caller's slots decide the real batch. A slot of
// 65,536 bytes holds any IPv4 datagram (65,507 bytes of payload at most), so none is truncated.
#define MAX_BATCH 1024
// Batches read per wake-up before the loop gets a turn (timers, sends, other sockets).
#define BATCHES_PER_WAKE 16

typedef struct {
  uv_poll_t poll;
  int fd;
  napi_env env;
  napi_ref callback;
  napi_ref slots_ref, meta_ref;
  napi_async_context context;
  uint8_t *slots;
  size_t slot_size;
  // Per datagram, three numbers: its length, the sender's IPv4 address (host order) and port.
  uint32_t *meta;
  unsigned batch;
  struct mmsghdr *messages;
  struct iovec *vectors;
  struct sockaddr_in *senders;
  // Who still holds the reader: libuv until on_closed, JavaScript until its handle is collected.
  bool closing, closed, collected;
} reader_t;

#define CHECK(env, call)                                                     \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error((env), NULL, "udp_batch: " #call " failed");          \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

// Calls JavaScript with `count` (or -errno). Returns false if it threw: the exception then goes
// to process 'uncaughtException', as one thrown by a node:dgram 'message' listener does.
static bool deliver(reader_t *reader, int32_t count) {
  napi_env env = reader->env;
  napi_handle_scope scope;
  napi_value callback, receiver, argument, result;
  napi_open_handle_scope(env, &scope);
  napi_get_reference_value(env, reader->callback, &callback);
  napi_get_global(env, &receiver);  // make_callback wants an object as `this`
  napi_create_int32(env, count, &argument);
  // make_callback, not call_function: microtasks and async hooks run as after any I/O callback.
  bool threw = napi_make_callback(env, reader->context, receiver, callback, 1, &argument, &result) == napi_pending_exception;
  if (threw) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
  return !threw;
}

// The watch is dropped while the socket is read. A socket in epoll has epoll's entry on its wait
// queue, so every datagram queued runs epoll's callback on the *sender's* CPU, whether this reader
// sleeps or not; a reader blocked in recvfrom (Python's) is on that queue only while it sleeps.
// Against one fast sender that callback slowed the sender to 0.90x of the rate it reached
// against Python, and our rate to 0.97x Python's. Unwatched while reading, the sender runs at
// 0.97-1.00x and we receive 1.03-1.05x Python's (bench/udp, 208 KiB buffer, 3 December). The
// price, two epoll_ctl calls per wake-up, did not show in UDP round trips (11-12,000/s either way).
static void on_readable(uv_poll_t *poll, int status, int events) {
  reader_t *reader = (reader_t *)poll->data;
  (void)events;
  if (status < 0) {
    deliver(reader, status);
    return;
  }
  uv_poll_stop(poll);
  for (int round = 0; round < BATCHES_PER_WAKE; round++) {
    for (unsigned i = 0; i < reader->batch; i++) {
      // The kernel overwrites it on every call.
      reader->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    }
    int count = recvmmsg(reader->fd, reader->messages, reader->batch, MSG_DONTWAIT, NULL);
    if (count < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) deliver(reader, -errno);
      break;
    }
    for (int i = 0; i < count; i++) {
      uint32_t *meta = reader->meta + 3 * i;
      meta[0] = reader->messages[i].msg_len;
      meta[1] = ntohl(reader->senders[i].sin_addr.s_addr);
      meta[2] = ntohs(reader->senders[i].sin_port);
    }
    // Drained, stopped from JavaScript meanwhile (a server closed by one of its datagrams), or
    // JavaScript threw: the next batch waits for the next wake-up.
    if (!deliver(reader, count) || (unsigned)count < reader->batch || uv_is_closing((uv_handle_t *)poll)) break;
  }
  // Watched again from the loop's next poll, which reports at once what is still queued.
  if (!uv_is_closing((uv_handle_t *)poll)) {
    int error = uv_poll_start(poll, UV_READABLE, on_readable);
    if (error) deliver(reader, error);  // a libuv error is -errno: JavaScript goes back to node:dgram
  }
}

static void release(napi_env env, reader_t *reader) {
  if (reader->callback) napi_delete_reference(env, reader->callback);
  if (reader->slots_ref) napi_delete_reference(env, reader->slots_ref);
  if (reader->meta_ref) napi_delete_reference(env, reader->meta_ref);
  if (reader->context) napi_async_destroy(env, reader->context);
  free(reader->messages);
  free(reader->vectors);
  free(reader->senders);
}

static void on_closed(uv_handle_t *handle) {
  reader_t *reader = (reader_t *)handle->data;
  release(reader->env, reader);
  reader->closed = true;
  if (reader->collected) free(reader);
}

// No more callbacks, and the dup is closed at once: once node:dgram closes the socket the port
// is free (a datagram sent to it then draws an ICMP port unreachable). libuv allows closing the
// descriptor right after uv_close.
static void close_reader(reader_t *reader) {
  if (reader->closing) return;
  reader->closing = true;
  uv_close((uv_handle_t *)&reader->poll, on_closed);
  close(reader->fd);
}

// JavaScript dropped its handle: a reader nobody can stop any more stops here.
static void on_collected(napi_env env, void *data, void *hint) {
  reader_t *reader = data;
  (void)env, (void)hint;
  reader->collected = true;
  if (reader->closed) free(reader);
  else close_reader(reader);
}

// start(fd, slots: ArrayBuffer, slotSize, meta: Uint32Array, callback(count)) -> handle
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], name, handle;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  uint32_t slot_size;
  void *slots, *meta;
  size_t slots_length, meta_length;
  napi_typedarray_type type;
  CHECK(env, napi_get_value_int32(env, argv[0], &fd));
  CHECK(env, napi_get_arraybuffer_info(env, argv[1], &slots, &slots_length));
  CHECK(env, napi_get_value_uint32(env, argv[2], &slot_size));
  CHECK(env, napi_get_typedarray_info(env, argv[3], &type, &meta_length, &meta, NULL, NULL));
  unsigned batch = slot_size ? slots_length / slot_size : 0;
  if (type != napi_uint32_array || batch == 0 || batch > MAX_BATCH || meta_length < 3 * batch) {
    napi_throw_range_error(env, NULL, "udp_batch: slots, slot size and meta do not match");
    return NULL;
  }
  reader_t *reader = calloc(1, sizeof *reader);
  if (!reader) {
    napi_throw_error(env, NULL, strerror(ENOMEM));
    return NULL;
  }
  reader->env = env;
  reader->fd = -1;
  reader->messages = calloc(batch, sizeof *reader->messages);
  reader->vectors = calloc(batch, sizeof *reader->vectors);
  reader->senders = calloc(batch, sizeof *reader->senders);
  const char *failure = NULL;
  if (!reader->messages || !reader->vectors || !reader->senders) failure = strerror(ENOMEM);
  else if ((reader->fd = dup(fd)) < 0) failure = strerror(errno);
  else {
    reader->slots = slots;
    reader->slot_size = slot_size;
    reader->meta = meta;
    reader->batch = batch;
    for (unsigned i = 0; i < batch; i++) {
      reader->vectors[i].iov_base = reader->slots + (size_t)i * slot_size;
      reader->vectors[i].iov_len = slot_size;
      reader->messages[i].msg_hdr.msg_iov = &reader->vectors[i];
      reader->messages[i].msg_hdr.msg_iovlen = 1;
      reader->messages[i].msg_hdr.msg_name = &reader->senders[i];
    }
    uv_loop_t *loop;
    if (napi_create_reference(env, argv[4], 1, &reader->callback) != napi_ok ||
        napi_create_reference(env, argv[1], 1, &reader->slots_ref) != napi_ok ||
        napi_create_reference(env, argv[3], 1, &reader->meta_ref) != napi_ok ||
        napi_create_string_utf8(env, "netlab:udp-batch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_async_init(env, NULL, name, &reader->context) != napi_ok ||
        napi_get_uv_event_loop(env, &loop) != napi_ok)
      failure = "udp_batch: could not keep the callback and buffers";
    else {
      int error = uv_poll_init(loop, &reader->poll, reader->fd);
      if (error) failure = uv_strerror(error);
      else {
        reader->poll.data = reader;
        // From here libuv holds the reader: it is released in on_closed only.
        error = uv_poll_start(&reader->poll, UV_READABLE, on_readable);
        if (!error && napi_create_external(env, reader, on_collected, NULL, &handle) == napi_ok) return handle;
        reader->collected = true;  // no JavaScript handle will ever hold it
        close_reader(reader);
        napi_throw_error(env, NULL, error ? uv_strerror(error) : "udp_batch: could not make the handle");
        return NULL;
      }
    }
  }
  if (reader->fd >= 0) close(reader->fd);
  release(env, reader);
  free(reader);
  napi_throw_error(env, NULL, failure);
  return NULL;
}

// stop(handle): see close_reader; a second call does nothing.
static napi_value stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_external(env, argv[0], &data));
  close_reader(data);
  return NULL;
}

// flood(fd, payload, count) -> sent: sends `count` copies of `payload` on the connected socket
// `fd`, 64 per sendmmsg(2), and returns how many the kernel took. It blocks until done: it is
// bench/udp's load generator, which must outrun every receiver it measures (a Python loop of
// send() cannot: one system call per datagram, like the receivers). A full send buffer is
// retried; a datagram refused (an ICMP error from an earlier one) is not sent, and not counted.
static napi_value flood(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int32_t fd;
  uint32_t count;
  void *payload;
  size_t length;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &fd));
  CHECK(env, napi_get_buffer_info(env, argv[1], &payload, &length));
  CHECK(env, napi_get_value_uint32(env, argv[2], &count));
  struct iovec vector = {payload, length};
  struct mmsghdr messages[64];
  memset(messages, 0, sizeof messages);
  for (int i = 0; i < 64; i++) {
    messages[i].msg_hdr.msg_iov = &vector;
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  uint32_t sent = 0, tried = 0;
  while (tried < count) {
    unsigned batch = count - tried < 64 ? count - tried : 64;
    int done = sendmmsg(fd, messages, batch, 0);
    if (done > 0) {
      sent += done;
      tried += done;
    } else if (done < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != EINTR) {
      tried++;  // refused: that datagram is dropped, the next ones still go
    }
  }
  CHECK(env, napi_create_uint32(env, sent, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
    {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
    {"stop", NULL, stop, NULL, NULL, NULL, napi_default, NULL},
    {"flood", NULL, flood, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, functions);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
