#ifndef CAUTOGIT_SYSTEM_H
#define CAUTOGIT_SYSTEM_H

// Thin wrappers over Linux system calls that Swift's Glibc module does not expose.
// Never define _GNU_SOURCE here: it changes fd_set and breaks `import Glibc`. It is defined only in the .c file.

#ifdef __linux__
#include <spawn.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

int cautogit_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int cautogit_eventfd(unsigned int initval, int flags);

/// A non-blocking, close-on-exec eventfd (the flags live in a header that wants _GNU_SOURCE).
int cautogit_eventfd_nonblocking(void);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC, so a new connection is never briefly blocking or inherited.
int cautogit_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *len);

/// Registers, changes or removes `fd` in `epfd` with `events` and an opaque 64-bit tag returned by wait.
int cautogit_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t tag);

/// One readiness report, unpacked (epoll_event is packed on x86_64, which Swift reads awkwardly).
typedef struct {
    uint32_t events;
    uint64_t tag;
} cautogit_epoll_event;

/// epoll_wait into unpacked events; returns the count, or -1 with errno.
int cautogit_epoll_wait(int epfd, cautogit_epoll_event *events, int max, int timeout_ms);

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC), for deadlines.
uint64_t cautogit_monotonic_ns(void);

/// pipe2 with O_CLOEXEC on both ends, so a child spawned by another thread at the same moment never inherits them.
int cautogit_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np: the spawned child changes to `path` before it execs.
int cautogit_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+): the child closes every descriptor from `lowfd` up, so it
/// inherits none that another thread opened without close-on-exec. Returns ENOSYS on an older glibc.
int cautogit_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

// Constants whose C spelling Swift imports as enums or not at all.
static const uint32_t CAUTOGIT_EPOLLIN = EPOLLIN;
static const uint32_t CAUTOGIT_EPOLLOUT = EPOLLOUT;
static const uint32_t CAUTOGIT_EPOLLERR = EPOLLERR;
static const uint32_t CAUTOGIT_EPOLLHUP = EPOLLHUP;
static const uint32_t CAUTOGIT_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t CAUTOGIT_EPOLLET = EPOLLET;
static const int CAUTOGIT_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int CAUTOGIT_EPOLL_CTL_DEL = EPOLL_CTL_DEL;
static const int CAUTOGIT_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int CAUTOGIT_MSG_NOSIGNAL = MSG_NOSIGNAL;
static const int CAUTOGIT_SOCK_STREAM = SOCK_STREAM;
static const int CAUTOGIT_SOCK_CLOEXEC = SOCK_CLOEXEC;
static const int CAUTOGIT_SOCK_NONBLOCK = SOCK_NONBLOCK;
#endif

#endif
