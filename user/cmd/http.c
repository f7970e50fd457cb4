// SPDX-License-Identifier: GPL-2.0
/* serve's HTTP side on libmicrohttpd: routing, content negotiation, the limits on clients. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "cmd/http.h"
#include "core/strutil.h"
#include "render/prometheus.h"

struct body {
	char *data;
	size_t len;
};

struct http_server {
	struct MHD_Daemon *daemon;
	int fd;
	pthread_mutex_t lock; /* the bodies: published by the collector, read by the handler */
	struct body text, om, page;
	unsigned long requests;
};

static const char not_ready[] = "no collection yet\n";
static const char not_found[] = "not found: loadscope serves / and /metrics\n";
static const char not_allowed[] = "method not allowed: only GET\n";

/* Split "ADDR:PORT" or "[ADDR]:PORT" into its parts; false when it has neither form. */
static bool split_listen(const char *listen, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon = strrchr(listen, ':');
	size_t n;

	if (!colon || !colon[1] || strlen(colon + 1) >= plen)
		return false;
	n = (size_t)(colon - listen);
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (!n || n >= hlen || memchr(listen, '[', n) || memchr(listen, ']', n))
		return false;
	memcpy(host, listen, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return true;
}

static int bind_listen(const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char host[256], port[16];
	int fd, one = 1, ret;

	if (!split_listen(addr, host, sizeof(host), port, sizeof(port)))
		return errmsg(err, errlen, -EINVAL,
			      "--listen must be ADDR:PORT (127.0.0.1:9477, [::1]:9477), got '%s'",
			      addr);
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret)
		return errmsg(err, errlen, -EINVAL, "--listen %s: %s", addr, gai_strerror(ret));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = errmsg(err, errlen, -errno, "cannot listen on %s: socket: %s", addr,
			     strerror(errno));
		goto cleanup;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, HTTP_LISTEN_BACKLOG)) {
		ret = errmsg(err, errlen, -errno, "cannot listen on %s: %s", addr, strerror(errno));
		close(fd);
		goto cleanup;
	}
	ret = fd;
cleanup:
	freeaddrinfo(ai);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     const char *data, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result serve_body(struct http_server *s, struct MHD_Connection *c,
				  const struct body *b, const char *type)
{
	enum MHD_Result ret;

	pthread_mutex_lock(&s->lock);
	if (b->data)
		ret = reply(c, MHD_HTTP_OK, type, b->data, b->len);
	else
		ret = reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", not_ready,
			    sizeof(not_ready) - 1);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	bool metrics = !strcmp(url, "/metrics"), root = !strcmp(url, "/");
	const char *accept;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	__atomic_add_fetch(&s->requests, 1, __ATOMIC_RELAXED);
	if (!metrics && !root)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", not_found,
			     sizeof(not_found) - 1);
	if (strcmp(method, MHD_HTTP_METHOD_GET))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     not_allowed, sizeof(not_allowed) - 1);
	if (root)
		return serve_body(s, c, &s->page, "text/html; charset=utf-8");
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	if (prom_format_for_accept(accept) == PROM_OPENMETRICS)
		return serve_body(s, c, &s->om, PROM_OPENMETRICS_CONTENT_TYPE);
	return serve_body(s, c, &s->text, PROM_TEXT_CONTENT_TYPE);
}

/* libmicrohttpd's own messages (a malformed request, a closed connection) are not ours. */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

int http_start(const char *addr, struct http_server **out, char *err, size_t errlen)
{
	struct http_server *s;
	int fd;

	*out = NULL;
	fd = bind_listen(addr, err, errlen);
	if (fd < 0)
		return fd;
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return errmsg(err, errlen, -ENOMEM, "cannot start the HTTP server: %s",
			      strerror(ENOMEM));
	}
	s->fd = fd;
	pthread_mutex_init(&s->lock, NULL);
	/* one thread polls every connection: a slow client costs a descriptor, not a thread */
	s->daemon =
		MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				 handle, s, MHD_OPTION_LISTEN_SOCKET, fd,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_PER_IP,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				 MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
	if (!s->daemon) {
		close(fd);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return errmsg(err, errlen, -EIO, "cannot start the HTTP server on %s", addr);
	}
	*out = s;
	return 0;
}

static int body_set(struct body *b, const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	free(b->data);
	b->data = copy;
	b->len = len;
	return 0;
}

int http_publish(struct http_server *s, const char *text, size_t text_len, const char *om,
		 size_t om_len, const char *page, size_t page_len)
{
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = body_set(&s->text, text, text_len);
	if (!ret)
		ret = body_set(&s->om, om, om_len);
	if (!ret)
		ret = body_set(&s->page, page, page_len);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

unsigned long http_requests(const struct http_server *s)
{
	return __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	/* the daemon closes the listening socket it was given */
	MHD_stop_daemon(s->daemon);
	free(s->text.data);
	free(s->om.data);
	free(s->page.data);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
