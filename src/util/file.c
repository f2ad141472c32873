/* file.c - bounded whole-file reads and small path helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpuvm/alloc.h"
#include "file.h"

int
gv_file_read(const char *path, size_t max, char **ret, size_t *ret_len, gv_err *err)
{
    GV_AUTOFREE char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gv_err_set(err, GV_E_IO, path, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return gv_err_set(err, GV_E_IO, path, "is a directory, expected a file");
    }
    for (;;) {
        ssize_t r;
        if (len + 1 >= cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > max + 2)
                cap = max + 2;
            buf = gv_realloc(buf, cap);
        }
        r = read(fd, buf + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return gv_err_set(err, GV_E_IO, path, "cannot read: %s", strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > max) {
            close(fd);
            return gv_err_set(err, GV_E_LIMIT, path, "file is larger than %zu bytes", max);
        }
    }
    close(fd);
    if (!buf)
        buf = gv_malloc(1);
    buf[len] = '\0';
    *ret = GV_STEAL_PTR(buf);
    if (ret_len)
        *ret_len = len;
    return 0;
}

char *
gv_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return gv_strdup(".");
    if (slash == path)
        return gv_strdup("/");
    return gv_strndup(path, (size_t)(slash - path));
}

char *
gv_path_resolve(const char *base_file, const char *rel)
{
    GV_AUTOFREE char *dir = NULL;

    if (rel[0] == '/' || !base_file)
        return gv_strdup(rel);
    dir = gv_path_dirname(base_file);
    if (strcmp(dir, ".") == 0)
        return gv_strdup(rel);
    return gv_asprintf("%s/%s", dir, rel);
}

int
gv_mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf))
        return errno = ENAMETOOLONG, -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) < 0 && errno != EEXIST ? -1 : 0;
}
