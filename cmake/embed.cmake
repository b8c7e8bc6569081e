# Turns a text file into a C++ source defining `std::string_view <SYMBOL>()`, so that the binary
# carries its own copies (OpenAPI description, migrations) and needs no files beside it.
file(READ "${INPUT}" content)
set(delim "collabdev_embed")
file(WRITE "${OUTPUT}.tmp" "#include <string_view>\nnamespace collabdev::embedded {\nstd::string_view ${SYMBOL}() {\n  static constexpr std::string_view text = R\"${delim}(${content})${delim}\";\n  return text;\n}\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
