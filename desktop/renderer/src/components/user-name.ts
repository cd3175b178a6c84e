/** How a person is named on screen: display name, else first and last name, else the email. */
export const nameOf = (u: { display_name: string | null; first_name: string | null; last_name: string | null; email: string }) =>
  u.display_name || [u.first_name, u.last_name].filter(Boolean).join(' ') || u.email;
