#ifdef __linux__
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "CAutoGitSystem.h"

int cautogit_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

int cautogit_eventfd(unsigned int initval, int flags) {
    return eventfd(initval, flags);
}
#endif
