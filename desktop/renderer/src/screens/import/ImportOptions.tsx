import { Radio, SegmentedControl, Stack, Text } from '@mantine/core';
import type { ImportOptions as Options } from '../../../../../shared/client/imports-api';

export type ImportChoice = Pick<Options, 'mode' | 'on_error'>;

/** Create or update, and what a bad row does to the rest. */
export function ImportOptions({ value, onChange }: { value: ImportChoice; onChange(v: ImportChoice): void }) {
  return (
    <Stack gap="sm">
      <div>
        <Text size="sm" fw={500} id="import-mode-label">Users that already exist (same email)</Text>
        <SegmentedControl
          aria-labelledby="import-mode-label"
          value={value.mode}
          onChange={(mode) => onChange({ ...value, mode: mode as ImportChoice['mode'] })}
          data={[{ value: 'create', label: 'Report as errors' }, { value: 'upsert', label: 'Update them' }]}
        />
      </div>
      <Radio.Group label="When a row is bad" value={value.on_error} onChange={(on_error) => onChange({ ...value, on_error: on_error as ImportChoice['on_error'] })}>
        <Stack gap={6} mt={4}>
          <Radio value="skip" label="Skip it and import the good rows" />
          <Radio value="abort" label="Stop, and import nothing" />
        </Stack>
      </Radio.Group>
    </Stack>
  );
}
