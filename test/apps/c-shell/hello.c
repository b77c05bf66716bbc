#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *name = "nobody";
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--name") == 0) name = argv[i + 1];
    printf("Hello, %s! (%d arguments)\n", name, argc - 1);
    return 0;
}
