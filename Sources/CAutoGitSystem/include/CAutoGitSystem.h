#ifndef CAUTOGIT_SYSTEM_H
#define CAUTOGIT_SYSTEM_H

// Thin wrappers over Linux system calls that Swift's Glibc module does not expose.
// Never define _GNU_SOURCE here: it changes fd_set and breaks `import Glibc`. It is defined only in the .c file.

#ifdef __linux__
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

int cautogit_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int cautogit_eventfd(unsigned int initval, int flags);
#endif

#endif
