/** A last line of defence: connection-string passwords and provider keys never reach the terminal, even inside an error. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/[^:@\s/]+:)[^@\s]+@/gi, "$1****@")
    .replace(/\b(sk|rk)_(live|test)_[A-Za-z0-9]+/g, "$1_$2_****")
    .replace(/\bwhsec_[A-Za-z0-9]+/g, "whsec_****");
}
