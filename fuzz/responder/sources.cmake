# fuzz_responder compiles the responder driver's frame logic (plain C) and
# nothing else of libndis (fuzz/CMakeLists.txt).
set(FUZZ_SOURCES ${PROJECT_SOURCE_DIR}/drivers/responder/rsp_frame.c)
set(FUZZ_INCLUDES ${PROJECT_SOURCE_DIR}/drivers/responder)
