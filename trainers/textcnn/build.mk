# build.mk — liandan-textcnn, included by the top Makefile: the trainer program and its tests.
# It links OpenBLAS (pkg-config openblas; Debian: libopenblas-dev) and OpenMP, never libliandan.
TEXTCNN_SRC := $(sort $(filter-out trainers/textcnn/main.c,$(wildcard trainers/textcnn/*.c)))
TEXTCNN_OBJ := $(TEXTCNN_SRC:%.c=$(BUILD)/obj/%.o)
TEXTCNN_MAIN := $(BUILD)/obj/trainers/textcnn/main.o
TEXTCNN_TESTS := $(patsubst trainers/textcnn/tests/%.c,$(BUILD)/tests/%,\
                   $(sort $(wildcard trainers/textcnn/tests/test_textcnn*.c)))
# Deferred (=) so pkg-config runs after `make deps` has installed OpenBLAS.
TEXTCNN_CFLAGS = -O3 -fno-math-errno -fopenmp $(shell pkg-config --cflags openblas 2>/dev/null)
TEXTCNN_LIBS = $(shell pkg-config --libs openblas 2>/dev/null) -fopenmp -lm

EXTRA_BINS += $(BUILD)/liandan-textcnn
EXTRA_TESTS += $(TEXTCNN_TESTS)

$(TEXTCNN_OBJ) $(TEXTCNN_MAIN): CFLAGS += $(TEXTCNN_CFLAGS)
$(TEXTCNN_OBJ) $(TEXTCNN_MAIN): trainers/textcnn/build.mk

$(BUILD)/liandan-textcnn: $(TEXTCNN_MAIN) $(TEXTCNN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEXTCNN_LIBS)

$(TEXTCNN_TESTS): $(BUILD)/tests/%: trainers/textcnn/tests/%.c $(TEXTCNN_OBJ) tests/unit/test.h \
                  $(BUILD)/liandan-textcnn
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEXTCNN_CFLAGS) -Itests/unit -Itrainers/textcnn \
	    -DTEXTCNN_BIN='"$(abspath $(BUILD))/liandan-textcnn"' -o $@ $< $(TEXTCNN_OBJ) \
	    $(LDFLAGS) $(TEXTCNN_LIBS)

-include $(TEXTCNN_OBJ:.o=.d) $(TEXTCNN_MAIN:.o=.d)
