/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve's HTTP side, on libmicrohttpd: GET / (a page naming the targets) and GET /metrics (the
 * latest exposition, in the format the Accept header asks for), from its own thread, so a slow
 * or broken client never holds up the collection, nor another client.
 */
#ifndef LOADSCOPE_HTTP_H
#define LOADSCOPE_HTTP_H

#include <stddef.h>

#define HTTP_DEFAULT_LISTEN  "127.0.0.1:9477"
#define HTTP_MAX_CONNECTIONS 64		 /* at once; more wait in the listen queue */
#define HTTP_MAX_PER_IP	     16		 /* one client cannot take every connection */
#define HTTP_TIMEOUT_S	     10		 /* an idle or slow connection is closed after this */
#define HTTP_MEMORY_LIMIT    (32 * 1024) /* per connection: a longer request line or headers: 431 */
#define HTTP_LISTEN_BACKLOG  64

struct http_server;

/*
 * Bind ADDR:PORT (an IPv4 address, or an IPv6 one in brackets) and start serving; until the
 * first http_publish, /metrics answers 503. 0, or a negative errno with one line in err.
 */
int http_start(const char *addr, struct http_server **out, char *err, size_t errlen);
/* The bodies served from now on (copied): the text, the OpenMetrics exposition, the page. */
int http_publish(struct http_server *s, const char *text, size_t text_len, const char *om,
		 size_t om_len, const char *page, size_t page_len);
/* Requests answered so far. */
unsigned long http_requests(const struct http_server *s);
/* Stop serving, close every connection and the listening socket. */
void http_stop(struct http_server *s);

#endif /* LOADSCOPE_HTTP_H */
