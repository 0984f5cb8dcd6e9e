# Writes OUTPUT, a C file defining `const char SYMBOL[]` with the bytes of
# INPUT followed by a NUL, including HEADER (which declares SYMBOL). SYMBOL
# and HEADER default to the built-in scenario's.
if(NOT DEFINED SYMBOL)
  set(SYMBOL scenario_builtin_default)
endif()
if(NOT DEFINED HEADER)
  set(HEADER scenario.h)
endif()
get_filename_component(input_name ${INPUT} NAME)
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hexlen)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "/* Generated from ${input_name} by cmake/embed.cmake. */\n#include \"${HEADER}\"\nconst char ${SYMBOL}[] = {\n${bytes}0x00};\n")
