import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack } from '@mantine/core';
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { fieldErrorsOf, notifyDone, notifyError } from './feedback';

/** A modal form: fields, then Cancel and a submit button; Enter submits. */
export function FormModal({ title, busy, submitLabel = 'Save', onClose, onSubmit, children }: { title: string; busy: boolean; submitLabel?: string; onClose(): void; onSubmit(): void; children: ReactNode }) {
  return (
    <Modal opened onClose={onClose} title={title}>
      <Stack component="form" onSubmit={(e) => (e.preventDefault(), onSubmit())}>
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={busy}>{submitLabel}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * A form's save: the server's field errors land on the fields (`errors`), any other failure
 * becomes a notification.
 */
export function useFormSave<T>(save: () => Promise<T>, onSaved: (saved: T) => void) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn: save,
    onSuccess: (saved) => (setErrors({}), onSaved(saved)),
    onError: (err) => {
      const fields = fieldErrorsOf(err);
      setErrors(fields);
      if (Object.keys(fields).length === 0) notifyError(err);
    },
  });
  return { errors, submit: () => mutation.mutate(), busy: mutation.isPending };
}

/** A one-click action on a row (revoke, delete, rotate): says it is done and refreshes `refresh`. */
export function useRowAction<Row, T = unknown>(action: (row: Row) => Promise<T>, done: string | ((result: T) => string) | null, refresh: QueryKey, failure?: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: (result) => {
      if (done) notifyDone(typeof done === 'string' ? done : done(result));
      return queryClient.invalidateQueries({ queryKey: refresh });
    },
    onError: (err) => notifyError(err, failure),
  });
}
