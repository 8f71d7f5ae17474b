"""The Trainer's loss, without a model: per-sentence class weights, label smoothing, and a mean
over the whole gradient-accumulation step."""

import torch

from train.fit import classification_loss


def test_the_loss_is_a_mean_over_the_whole_accumulation_step():
    torch.manual_seed(0)
    logits, labels = torch.randn(4, 3, requires_grad=True), torch.tensor([0, 1, 1, 2])
    loss = classification_loss([0, 0, 0, 1, 2], 3, class_weights=True)  # label 0 frequent: weight 5/9, others 5/3
    weights = torch.tensor([5 / 9, 5 / 3, 5 / 3])
    by_hand = (weights[labels] * torch.nn.functional.cross_entropy(logits, labels, reduction="none")).mean()
    assert torch.allclose(loss({"logits": logits}, labels), by_hand)
    (whole,) = torch.autograd.grad(loss({"logits": logits}, labels, num_items_in_batch=4), logits)
    halves = loss({"logits": logits[:2]}, labels[:2], num_items_in_batch=4) + loss({"logits": logits[2:]}, labels[2:], num_items_in_batch=4)
    assert torch.allclose(torch.autograd.grad(halves, logits)[0], whole)


def test_label_smoothing_factor_reaches_the_loss():
    """TrainingArguments' label_smoothing_factor is passed through from a config, and the Trainer
    ignores it when a loss function is given: the project's loss must apply it."""
    torch.manual_seed(0)
    logits, labels = torch.randn(4, 3), torch.tensor([0, 1, 1, 2])
    smoothed = classification_loss([0, 1, 2], 3, class_weights=False, label_smoothing=0.1)({"logits": logits}, labels)
    log_p = torch.log_softmax(logits, dim=-1)
    by_hand = -(0.9 * log_p[range(4), labels] + 0.1 * log_p.mean(dim=-1)).mean()
    assert torch.allclose(smoothed, by_hand)
    plain = classification_loss([0, 1, 2], 3, class_weights=False)({"logits": logits}, labels)
    assert not torch.allclose(smoothed, plain)
