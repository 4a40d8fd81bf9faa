import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMULATED_STARTUP_GRACE_S, STARTUP_GRACE_S, isEmulatedCpu, startupGraceSeconds } from './startup.ts';

const cpu = (model: string, flags: string) => `processor\t: 0\nmodel name\t: ${model}\nflags\t\t: ${flags}\n`;

test('startup grace: longer only on a CPU emulated by TCG', () => {
  // This repo's host: a KVM guest (hypervisor flag, kvm-clock offered).
  assert.equal(startupGraceSeconds({ cpuinfo: cpu('AMD EPYC', 'fpu sse2 hypervisor'), clocksources: 'kvm-clock tsc acpi_pm\n' }), STARTUP_GRACE_S);
  // Bare metal: no hypervisor flag.
  assert.equal(isEmulatedCpu({ cpuinfo: cpu('Intel(R) Xeon(R)', 'fpu sse2'), clocksources: 'tsc hpet acpi_pm\n' }), false);
  // A QEMU TCG guest (-cpu qemu64, the default): named by its model, no paravirtual clock.
  assert.equal(startupGraceSeconds({ cpuinfo: cpu('QEMU Virtual CPU version 2.5+', 'fpu sse2 hypervisor'), clocksources: 'tsc acpi_pm\n' }), EMULATED_STARTUP_GRACE_S);
  // TCG with -cpu max or a named model: a guest without kvm-clock.
  assert.equal(isEmulatedCpu({ cpuinfo: cpu('AMD EPYC', 'fpu hypervisor'), clocksources: 'tsc acpi_pm\n' }), true);
  assert.equal(isEmulatedCpu({ cpuinfo: cpu('Intel Xeon', 'fpu hypervisor'), clocksources: 'hyperv_clocksource_tsc_page tsc\n' }), false);
  // Nothing readable: assume a normal machine.
  assert.equal(startupGraceSeconds({ cpuinfo: '', clocksources: '' }), STARTUP_GRACE_S);
});
