/**
 * @file Parameter: a leaf tensor that a Module owns and an optimizer updates
 * (PyTorch's `nn.Parameter`). Modules find parameters by type, so assigning
 * one to a field is all the registration there is.
 */
import { Tensor, type DType } from "@kiln/tensor";

/** A trainable leaf tensor (`requiresGrad` true by default) that shares `data`'s storage when it is contiguous. */
export class Parameter<D extends DType = DType> extends Tensor<D> {
  constructor(data: Tensor<D>, requiresGrad = true) {
    const src = data.isContiguous ? data : data.detach().contiguous();
    super(src.storage, src.shape, src.strides, src.offset);
    this.requiresGrad = requiresGrad;
  }
}
