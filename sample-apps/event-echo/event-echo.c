/*
 * A TCP echo server on libevent: every byte a client sends comes back. It needs libevent's shared
 * library, which the OSv kernel does not provide, so the image builder adds it from the host by
 * following the DT_NEEDED entries of event-echo.so.
 *
 * Usage: event-echo.so [PORT]   (default port 7000)
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_read(struct bufferevent *connection, void *context)
{
    (void)context;
    bufferevent_write_buffer(connection, bufferevent_get_input(connection));
}

static void on_event(struct bufferevent *connection, short events, void *context)
{
    (void)context;
    if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(connection);
    }
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t socket, struct sockaddr *address,
                      int length, void *context)
{
    (void)address;
    (void)length;
    (void)context;
    struct event_base *base = evconnlistener_get_base(listener);
    struct bufferevent *connection = bufferevent_socket_new(base, socket, BEV_OPT_CLOSE_ON_FREE);
    if (connection == NULL) {
        evutil_closesocket(socket);
        return;
    }
    bufferevent_setcb(connection, on_read, NULL, on_event, NULL);
    bufferevent_enable(connection, EV_READ | EV_WRITE);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7000;
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "event-echo: invalid port '%s'; give a number from 1 to 65535\n", argv[1]);
        return 2;
    }

    struct event_base *base = event_base_new();
    if (base == NULL) {
        fprintf(stderr, "event-echo: event_base_new failed\n");
        return 1;
    }

    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);

    struct evconnlistener *listener = evconnlistener_new_bind(
        base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
        (struct sockaddr *)&address, sizeof(address));
    if (listener == NULL) {
        perror("event-echo: cannot listen");
        return 1;
    }

    printf("event-echo: listening on port %d\n", port);
    fflush(stdout);
    event_base_dispatch(base);

    evconnlistener_free(listener);
    event_base_free(base);
    return 0;
}
