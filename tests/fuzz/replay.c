/* replay: the main() of a fuzz target in a normal build. Feeds the target every file
 * named on the command line, and every file in every directory named, one at a time,
 * as libFuzzer would; ctest runs it over tests/fuzz/corpus/TARGET so that the seeds
 * and every input that once crashed are tried in each build (the sanitizer build
 * too). Exits 1 when it found no input to replay; a crash stops it. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds the target exactly the file's bytes, in a block of that size as libFuzzer
 * gives them, so that the sanitizer build sees a read past the end. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        perror(path);
        if (f)
            fclose(f);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    int failed = !buf || fread(buf, 1, len, f) != len;
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

/* Replays path (a file, or a directory's files); adds to *count. */
static int replay_path(const char *path, int *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (replay_file(path) != 0)
            return -1;
        ++*count;
        return 0;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        perror(path);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char child[4096];
        if (names[i]->d_name[0] != '.' && rc == 0) {
            snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
            if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay_file(child) != 0)
                    rc = -1;
                else
                    ++*count;
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) != 0)
            return 1;
    printf("replayed %d inputs\n", count);
    return count > 0 ? 0 : 1;
}
