/* Fuzz target: a scenario or suite file, loaded as `loadgate run FILE` loads it,
 * and once more with `--env staging` when it has environments. A load either
 * succeeds with no problem reported or fails with at least one problem, each with
 * a message, never anything else. */
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "util.h"

/* Loads the file for a run in environment env (NULL: none) and checks the outcome. */
static void load(const char *path, const char *env)
{
    struct lg_load_opts opts = {.env = env, .for_run = true};
    struct lg_suite *suite = NULL;
    struct lg_diags diags = {0};
    int rc = lg_config_load(path, &opts, &suite, &diags);
    if (rc == 0) {
        FUZZ_CHECK(suite != NULL && diags.n == 0);
        lg_suite_free(suite);
    } else {
        FUZZ_CHECK(rc == LG_EINVAL && suite == NULL && diags.n > 0);
        for (size_t i = 0; i < diags.n; i++)
            FUZZ_CHECK(diags.v[i].msg && diags.v[i].msg[0] && diags.v[i].line >= 0 &&
                       diags.v[i].col >= 0);
    }
    lg_diags_free(&diags);
}

static char link_dir[] = "/tmp/lg-fuzz-config.XXXXXX", link_path[96];

static void remove_link(void)
{
    unlink(link_path);
    rmdir(link_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader reads a path: the input goes into an in-memory file, reached through
     * a link in a directory of its own, where the files a scenario names (feeds, a
     * suite's scenarios) resolve to nothing. */
    static int fd = -1;
    if (fd < 0) {
        char target[64];
        fd = memfd_create("scenario.yaml", 0);
        FUZZ_CHECK(fd >= 0 && mkdtemp(link_dir) != NULL);
        snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), fd);
        snprintf(link_path, sizeof(link_path), "%s/scenario.yaml", link_dir);
        FUZZ_CHECK(symlink(target, link_path) == 0);
        atexit(remove_link);
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

    load(link_path, NULL);
    if (memmem(data, size, "environments:", 13))
        load(link_path, "staging");
    return 0;
}
