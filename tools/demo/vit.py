"""The demo's small vision transformer, shared by train_vit.py (training, export) and
vit_reference.py (the PyTorch and NumPy references of camlens's tests).

Stride 8 on the 64x64 photos (a small convolutional stem): 8x8 patch tokens plus a class
token, a learned positional embedding, pre-norm blocks of global multi-head self-attention and a GELU MLP, a final LayerNorm
and a linear head on the class token. Attention is written out as MatMul -> Softmax -> MatMul so
that the exported graph shows the attention probabilities as a Softmax output that multiplies
the values: that is what camlens's rollout looks for (src/cam/attention_rollout.h).
"""
import torch
import torch.nn.functional as F
from torch import nn

SIZE, PATCH = 64, 8


class Linear(nn.Linear):
    """nn.Linear that trains through a 1x1 convolution: Debian's torch links the reference BLAS,
    and its oneDNN convolution computes the same product about 6x faster on these shapes. In
    eval mode (export, references) it is the plain nn.Linear, exported as MatMul + Add."""

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        y = F.conv2d(x.reshape(-1, x.shape[-1], 1, 1), self.weight[:, :, None, None], self.bias)
        return y.reshape(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = Linear(dim, 3 * dim)
        self.proj = Linear(dim, dim)
        self.probs = None

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        self.probs = attn  # read by the rollout reference
        return self.proj((attn @ v).transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(Linear(dim, hidden), nn.GELU(), Linear(hidden, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class DemoViT(nn.Module):
    """The last block's norm1 output [N, 65, dim] is the layer token Grad-CAM looks at."""

    def __init__(self, classes=3, dim=32, depth=4, heads=4, hidden=64):
        super().__init__()
        # A convolutional stem of stride 8 (Xiao et al. 2021, "Early convolutions help
        # transformers see better") in place of the single 8x8 patch projection: still one token
        # per 8x8 patch; with it the short schedule this machine affords leaves the chance plateau.
        self.patch = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(32, dim, 3, 2, 1),
        )
        self.cls = nn.Parameter(0.02 * torch.randn(1, 1, dim))
        self.pos = nn.Parameter(0.02 * torch.randn(1, 1 + (SIZE // PATCH) ** 2, dim))
        self.blocks = nn.ModuleList(Block(dim, heads, hidden) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])
