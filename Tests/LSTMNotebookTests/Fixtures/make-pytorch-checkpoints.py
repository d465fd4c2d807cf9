"""Writes the PyTorch-trained GRU and RNN checkpoints of MNIST's shape that
CellChoiceTests evaluates through the LSTM notebook (build-model.cell, train.epochs=0).

Each is a from-scratch classifier in the notebook's naming (one nn.Linear per input and per
recurrent term, the classifier on the last state), trained briefly on the first 3,000
training images so that its answers are far from chance, then run on the first 200 test
images; the JSON keeps its predictions and the margin of each answer over the runner-up,
so the test can demand the same answers from nbrun. Run from the repository root:
    python3 Tests/LSTMNotebookTests/Fixtures/make-pytorch-checkpoints.py
"""
import gzip, json, struct
from pathlib import Path
import torch
from torch import nn

root = Path(__file__).resolve().parents[3]
data = root / "Notebooks/data/mnist"
out = Path(__file__).resolve().parent
hidden, train_count, test_count = 16, 3000, 200


def idx(name, offset, shape):
    raw = gzip.open(data / name, "rb").read()
    return torch.frombuffer(bytearray(raw[offset:]), dtype=torch.uint8).reshape(shape)


train_x = idx("train-images-idx3-ubyte.gz", 16, (-1, 28, 28))[:train_count].float() / 255
train_y = idx("train-labels-idx1-ubyte.gz", 8, (-1,))[:train_count].long()
test_x = idx("t10k-images-idx3-ubyte.gz", 16, (-1, 28, 28))[:test_count].float() / 255
test_y = idx("t10k-labels-idx1-ubyte.gz", 8, (-1,))[:test_count].long()


class GRUCell(nn.Module):
    def __init__(self):
        super().__init__()
        for name in ["x_t", "x_t_r", "x_t_u"]:
            setattr(self, name, nn.Linear(28, hidden))
        for name in ["a_t", "a_t_r", "a_t_u"]:
            setattr(self, name, nn.Linear(hidden, hidden))

    def forward(self, x, a):
        reset = torch.sigmoid(self.x_t_r(x) + self.a_t_r(a))
        update = torch.sigmoid(self.x_t_u(x) + self.a_t_u(a))
        candidate = torch.tanh(self.x_t(x) + self.a_t(reset * a))
        return update * candidate + (1 - update) * a


class RNNCell(nn.Module):
    def __init__(self):
        super().__init__()
        self.x_t, self.a_t = nn.Linear(28, hidden), nn.Linear(hidden, hidden)

    def forward(self, x, a):
        return torch.tanh(self.x_t(x) + self.a_t(a))


class Classifier(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        setattr(self, kind, nn.Module())
        setattr(getattr(self, kind), kind + "Cell", GRUCell() if kind == "GRU" else RNNCell())
        self.classifier = nn.Linear(hidden, 10)

    def forward(self, images):
        cell = getattr(getattr(self, self.kind), self.kind + "Cell")
        a = torch.zeros(images.shape[0], hidden)
        for step in range(28):
            a = cell(images[:, step, :], a)
        return self.classifier(a)


def save(model, path):
    tensors = {name: value.detach().contiguous() for name, value in model.state_dict().items()}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        blob = tensors[name].numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


record = {"about": f"PyTorch {torch.__version__}: from-scratch GRU and RNN classifiers, hidden {hidden}, trained on the "
                   f"first {train_count} MNIST training images; predictions on the first {test_count} test images"}
for kind, seed in [("GRU", 1), ("RNN", 2)]:
    torch.manual_seed(seed)
    model = Classifier(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(3):
        order = torch.randperm(train_count)
        for start in range(0, train_count, 32):
            batch = order[start:start + 32]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        logits = model(test_x)
    top = logits.topk(2, dim=1)
    predictions = top.indices[:, 0]
    margins = top.values[:, 0] - top.values[:, 1]
    correct = int((predictions == test_y).sum())
    save(model, out / f"pytorch-{kind.lower()}-mnist.safetensors")
    record[kind.lower()] = {"hidden": hidden, "correct": correct, "count": test_count,
                            "predictions": predictions.tolist(), "smallest_margin": float(margins.min())}
    print(kind, "correct", correct, "of", test_count, "smallest margin", float(margins.min()))
(out / "pytorch-mnist-checkpoints.json").write_text(json.dumps(record, indent=1) + "\n")
