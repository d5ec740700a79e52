package tflite

// Facts of the TensorFlow Lite file format (schema version 3, file
// identifier "TFL3"): enum values, union member numbers and field slots,
// as declared in TensorFlow Lite's schema.fbs (tensorflow/tensorflow
// tensorflow/compiler/mlir/lite/schema/schema.fbs, the same file as
// google-ai-edge/LiteRT tflite/converter/schema/schema.fbs). Only what the
// exporter writes is listed; no code is generated from the schema.

const (
	schemaVersion  = 3
	fileIdentifier = "TFL3"
)

// tensorType is the schema's TensorType enum.
type tensorType uint8

const (
	ttFloat32 tensorType = 0
	ttFloat16 tensorType = 1
	ttInt32   tensorType = 2
	ttUint8   tensorType = 3
	ttInt64   tensorType = 4
	ttBool    tensorType = 6
	ttInt16   tensorType = 7
	ttInt8    tensorType = 9
)

func (t tensorType) String() string {
	switch t {
	case ttFloat32:
		return "float32"
	case ttFloat16:
		return "float16"
	case ttInt32:
		return "int32"
	case ttUint8:
		return "uint8"
	case ttInt64:
		return "int64"
	case ttBool:
		return "bool"
	case ttInt16:
		return "int16"
	case ttInt8:
		return "int8"
	}
	return "type?"
}

// size is the element size in bytes.
func (t tensorType) size() int {
	switch t {
	case ttFloat32, ttInt32:
		return 4
	case ttFloat16, ttInt16:
		return 2
	case ttInt64:
		return 8
	}
	return 1
}

// Option table kinds: the member numbers of the BuiltinOptions union.
const (
	optNone                  = 0
	optConv2D                = 1
	optDepthwiseConv2D       = 2
	optPool2D                = 5
	optFullyConnected        = 8
	optSoftmax               = 9
	optConcatenation         = 10
	optAdd                   = 11
	optResizeBilinear        = 15
	optReshape               = 17
	optSpaceToDepth          = 19
	optMul                   = 21
	optPad                   = 22
	optGather                = 23
	optTranspose             = 26
	optReducer               = 27
	optSub                   = 28
	optDiv                   = 29
	optStridedSlice          = 32
	optExp                   = 33
	optSplit                 = 35
	optLogSoftmax            = 36
	optCast                  = 37
	optDequantize            = 38
	optMaximumMinimum        = 39
	optArgMax                = 40
	optArgMin                = 57
	optLess                  = 41
	optNeg                   = 42
	optPadV2                 = 43
	optGreater               = 44
	optGreaterEqual          = 45
	optLessEqual             = 46
	optTransposeConv         = 49
	optTile                  = 51
	optEqual                 = 53
	optNotEqual              = 54
	optPow                   = 56
	optLogicalOr             = 60
	optLogicalAnd            = 62
	optLogicalNot            = 63
	optFloorMod              = 72
	optResizeNearestNeighbor = 74
	optLeakyRelu             = 75
	optMirrorPad             = 77
	optAbs                   = 78
	optSplitV                = 79
	optCos                   = 84
	optHardSwish             = 91
	optDepthToSpace          = 94
	optSelectV2              = 98
	optBatchMatMul           = 101
	optBroadcastTo           = 104
	optGelu                  = 116
	optSign                  = 123
)

// builtin is a BuiltinOperator with the options table the schema pairs
// with it (optNone for the operators the schema gives none).
type builtin struct {
	code int32
	name string
	opt  uint8
}

// The operators the exporter writes.
var (
	opAdd            = builtin{0, "ADD", optAdd}
	opAveragePool    = builtin{1, "AVERAGE_POOL_2D", optPool2D}
	opConcat         = builtin{2, "CONCATENATION", optConcatenation}
	opConv2D         = builtin{3, "CONV_2D", optConv2D}
	opDepthwise      = builtin{4, "DEPTHWISE_CONV_2D", optDepthwiseConv2D}
	opDepthToSpace   = builtin{5, "DEPTH_TO_SPACE", optDepthToSpace}
	opDequantize     = builtin{6, "DEQUANTIZE", optDequantize}
	opFloor          = builtin{8, "FLOOR", optNone}
	opFullyConnected = builtin{9, "FULLY_CONNECTED", optFullyConnected}
	opLogistic       = builtin{14, "LOGISTIC", optNone}
	opMaxPool        = builtin{17, "MAX_POOL_2D", optPool2D}
	opMul            = builtin{18, "MUL", optMul}
	opRelu           = builtin{19, "RELU", optNone}
	opReluN1To1      = builtin{20, "RELU_N1_TO_1", optNone}
	opRelu6          = builtin{21, "RELU6", optNone}
	opReshape        = builtin{22, "RESHAPE", optReshape}
	opResizeBilinear = builtin{23, "RESIZE_BILINEAR", optResizeBilinear}
	opSoftmax        = builtin{25, "SOFTMAX", optSoftmax}
	opSpaceToDepth   = builtin{26, "SPACE_TO_DEPTH", optSpaceToDepth}
	opTanh           = builtin{28, "TANH", optNone}
	opPad            = builtin{34, "PAD", optPad}
	opGather         = builtin{36, "GATHER", optGather}
	opTranspose      = builtin{39, "TRANSPOSE", optTranspose}
	opMean           = builtin{40, "MEAN", optReducer}
	opSub            = builtin{41, "SUB", optSub}
	opDiv            = builtin{42, "DIV", optDiv}
	opStridedSlice   = builtin{45, "STRIDED_SLICE", optStridedSlice}
	opExp            = builtin{47, "EXP", optExp}
	opSplit          = builtin{49, "SPLIT", optSplit}
	opLogSoftmax     = builtin{50, "LOG_SOFTMAX", optLogSoftmax}
	opCast           = builtin{53, "CAST", optCast}
	opPRelu          = builtin{54, "PRELU", optNone}
	opMaximum        = builtin{55, "MAXIMUM", optMaximumMinimum}
	opArgMax         = builtin{56, "ARG_MAX", optArgMax}
	opMinimum        = builtin{57, "MINIMUM", optMaximumMinimum}
	opLess           = builtin{58, "LESS", optLess}
	opNeg            = builtin{59, "NEG", optNeg}
	opPadV2          = builtin{60, "PADV2", optPadV2}
	opGreater        = builtin{61, "GREATER", optGreater}
	opGreaterEqual   = builtin{62, "GREATER_EQUAL", optGreaterEqual}
	opLessEqual      = builtin{63, "LESS_EQUAL", optLessEqual}
	opSin            = builtin{66, "SIN", optNone}
	opTransposeConv  = builtin{67, "TRANSPOSE_CONV", optTransposeConv}
	opTile           = builtin{69, "TILE", optTile}
	opEqual          = builtin{71, "EQUAL", optEqual}
	opNotEqual       = builtin{72, "NOT_EQUAL", optNotEqual}
	opLog            = builtin{73, "LOG", optNone}
	opSum            = builtin{74, "SUM", optReducer}
	opSqrt           = builtin{75, "SQRT", optNone}
	opRsqrt          = builtin{76, "RSQRT", optNone}
	opPow            = builtin{78, "POW", optPow}
	opArgMin         = builtin{79, "ARG_MIN", optArgMin}
	opReduceProd     = builtin{81, "REDUCE_PROD", optReducer}
	opReduceMax      = builtin{82, "REDUCE_MAX", optReducer}
	opLogicalOr      = builtin{84, "LOGICAL_OR", optLogicalOr}
	opLogicalAnd     = builtin{86, "LOGICAL_AND", optLogicalAnd}
	opLogicalNot     = builtin{87, "LOGICAL_NOT", optLogicalNot}
	opReduceMin      = builtin{89, "REDUCE_MIN", optReducer}
	opFloorMod       = builtin{95, "FLOOR_MOD", optFloorMod}
	opResizeNearest  = builtin{97, "RESIZE_NEAREST_NEIGHBOR", optResizeNearestNeighbor}
	opLeakyRelu      = builtin{98, "LEAKY_RELU", optLeakyRelu}
	opMirrorPad      = builtin{100, "MIRROR_PAD", optMirrorPad}
	opAbs            = builtin{101, "ABS", optAbs}
	opSplitV         = builtin{102, "SPLIT_V", optSplitV}
	opCeil           = builtin{104, "CEIL", optNone}
	opCos            = builtin{108, "COS", optCos}
	opElu            = builtin{111, "ELU", optNone}
	opRound          = builtin{116, "ROUND", optNone}
	opHardSwish      = builtin{117, "HARD_SWISH", optHardSwish}
	opSelectV2       = builtin{123, "SELECT_V2", optSelectV2}
	opBatchMatMul    = builtin{126, "BATCH_MATMUL", optBatchMatMul}
	opBroadcastTo    = builtin{130, "BROADCAST_TO", optBroadcastTo}
	opGelu           = builtin{150, "GELU", optGelu}
	opSign           = builtin{158, "SIGN", optSign}
)

// Enum values of option fields.
const (
	padSame  = 0 // Padding.SAME
	padValid = 1 // Padding.VALID

	actNone  = 0 // ActivationFunctionType.NONE
	actRelu  = 1
	actRelu6 = 3

	mirrorReflect = 0 // MirrorPadMode.REFLECT
)

// Field slots of the tables the writer emits.
const (
	// Model
	modelVersion, modelOpCodes, modelSubgraphs, modelDescription, modelBuffers = 0, 1, 2, 3, 4
	modelMetadata, modelSignatures                                             = 6, 7
	modelFields                                                                = 8
	// OperatorCode
	codeDeprecated, codeVersion, codeBuiltin, codeFields = 0, 2, 3, 4
	// SubGraph
	sgTensors, sgInputs, sgOutputs, sgOperators, sgName, sgFields = 0, 1, 2, 3, 4, 5
	// Tensor
	tShape, tType, tBuffer, tName, tHasRank, tFields = 0, 1, 2, 3, 8, 9
	// Buffer
	bufData, bufFields = 0, 1
	// Operator (a union field takes two slots: its type, then its value)
	opcOpcode, opcInputs, opcOutputs, opcOptionsType, opcOptions, opcFields = 0, 1, 2, 3, 4, 5
	// TensorMap
	tmName, tmIndex, tmFields = 0, 1, 2
	// SignatureDef
	sigInputs, sigOutputs, sigKey, sigSubgraph, sigFields = 0, 1, 2, 4, 5
)
