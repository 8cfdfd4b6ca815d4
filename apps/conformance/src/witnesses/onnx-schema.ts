import protobuf from 'protobufjs';

/**
 * The subset of the ONNX protobuf schema (onnx/onnx `onnx.proto3`, IR version
 * 8) needed to write a one-node model: message and field numbers follow the
 * official schema, every field we never write is left out (protobuf readers
 * skip nothing they do not receive, so a subset encodes valid models).
 */
const ONNX_SUBSET_SCHEMA = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0;
    FLOAT = 1;
    INT = 2;
    STRING = 3;
    TENSOR = 4;
    GRAPH = 5;
    FLOATS = 6;
    INTS = 7;
  }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
  AttributeType type = 20;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string domain = 7;
}

message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    int64 dim_value = 1;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  Tensor tensor_type = 1;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}
`;

/** ONNX `TensorProto.DataType.FLOAT`. */
export const ONNX_FLOAT = 1;

/** ONNX `AttributeProto.AttributeType` values we write. */
export const ONNX_ATTRIBUTE_TYPE = { INT: 2, INTS: 7 } as const;

/** IR version of the models we write (ONNX 1.10+, understood by every current ONNX Runtime). */
export const ONNX_IR_VERSION = 8;

/** Default-domain opset the models import (`Conv` is unchanged since opset 11). */
export const ONNX_OPSET = 13;

let modelType: protobuf.Type | undefined;

/** The `onnx.ModelProto` message type of {@link ONNX_SUBSET_SCHEMA}, parsed once. */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SUBSET_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** A float32 array as little-endian bytes, the byte order ONNX `raw_data` requires. */
export function float32LittleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}
