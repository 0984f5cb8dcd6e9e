# Writes OUTPUT, a C file defining `const char scenario_builtin_default[]` with
# the bytes of INPUT followed by a NUL.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hexlen)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "/* Generated from scenarios/default.json by cmake/embed.cmake. */\n#include \"scenario.h\"\nconst char scenario_builtin_default[] = {\n${bytes}0x00};\n")
