package optim

import "math"

// The oracles: each optimizer written again in plain float64 Go, line by
// line from torch.optim's single-tensor code (_single_tensor_sgd and
// _single_tensor_adamw), independently of the IR. step updates p in place
// given the gradient g of step t = 1, 2, ...; slots returns the state in
// the order of the optimizer's Slots.
type oracle interface {
	step(p, g []float64, t int)
	slots(n int) [][]float64
}

type sgdOracle struct{ lr, wd float64 }

func (o *sgdOracle) step(p, g []float64, _ int) {
	for i := range p {
		grad := g[i]
		if o.wd != 0 {
			grad = grad + o.wd*p[i] // grad.add(param, alpha=weight_decay)
		}
		p[i] = p[i] + (-o.lr)*grad // param.add_(grad, alpha=-lr)
	}
}

func (o *sgdOracle) slots(int) [][]float64 { return nil }

type momentumOracle struct {
	lr, mu, damp, wd float64
	nesterov         bool
	buf              []float64 // nil until the first step, as in PyTorch
}

func (o *momentumOracle) step(p, g []float64, _ int) {
	grad := make([]float64, len(g))
	for i := range g {
		grad[i] = g[i]
		if o.wd != 0 {
			grad[i] = grad[i] + o.wd*p[i]
		}
	}
	if o.mu == 0 {
		// PyTorch keeps no buffer; the IR's slot holds the gradient.
		o.buf = append([]float64(nil), grad...)
	} else {
		if o.buf == nil {
			o.buf = append([]float64(nil), grad...) // torch.clone(grad)
		} else {
			for i := range o.buf {
				o.buf[i] = o.buf[i]*o.mu + (1-o.damp)*grad[i] // buf.mul_(momentum).add_(grad, alpha=1-dampening)
			}
		}
		for i := range grad {
			if o.nesterov {
				grad[i] = grad[i] + o.mu*o.buf[i] // grad.add(buf, alpha=momentum)
			} else {
				grad[i] = o.buf[i]
			}
		}
	}
	for i := range p {
		p[i] = p[i] + (-o.lr)*grad[i]
	}
}

func (o *momentumOracle) slots(n int) [][]float64 {
	if o.buf == nil {
		return [][]float64{make([]float64, n)}
	}
	return [][]float64{o.buf}
}

type adamwOracle struct {
	lr, beta1, beta2, eps, wd float64
	m, v                      []float64
}

// torchLerp is torch.lerp's scalar formula.
func torchLerp(self, end, weight float64) float64 {
	if math.Abs(weight) < 0.5 {
		return self + weight*(end-self)
	}
	return end - (end-self)*(1-weight)
}

func (o *adamwOracle) step(p, g []float64, t int) {
	if o.m == nil {
		o.m, o.v = make([]float64, len(p)), make([]float64, len(p))
	}
	step := float64(t)
	biasCorrection1 := 1 - math.Pow(o.beta1, step)
	biasCorrection2 := 1 - math.Pow(o.beta2, step)
	stepSize := o.lr / biasCorrection1
	biasCorrection2Sqrt := math.Sqrt(biasCorrection2)
	for i := range p {
		p[i] = p[i] * (1 - o.lr*o.wd)                          // param.mul_(1 - lr*weight_decay)
		o.m[i] = torchLerp(o.m[i], g[i], 1-o.beta1)            // exp_avg.lerp_(grad, 1-beta1)
		o.v[i] = o.v[i]*o.beta2 + (1-o.beta2)*g[i]*g[i]        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
		denom := math.Sqrt(o.v[i])/biasCorrection2Sqrt + o.eps // (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
		p[i] = p[i] + (-stepSize)*o.m[i]/denom                 // param.addcdiv_(exp_avg, denom, value=-step_size)
	}
}

func (o *adamwOracle) slots(n int) [][]float64 {
	if o.m == nil {
		return [][]float64{make([]float64, n), make([]float64, n)}
	}
	return [][]float64{o.m, o.v}
}
