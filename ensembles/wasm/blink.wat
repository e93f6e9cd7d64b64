;; A firmware-style WASI module for @ensemble/wasm-host (docs/wasm.md): on
;; every tick it toggles "led" between on and off and counts "blinks"; its
;; "name" property is published as "name". Built into blink.wasm by the build.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "ensemble" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
  (import "ensemble" "property" (func $property (param i32 i32 i32 i32) (result i32)))
  (import "ensemble" "ready" (func $ready))
  (memory (export "memory") 1)
  (data (i32.const 16) "blink: started\n")
  (data (i32.const 48) "led")
  (data (i32.const 52) "on")
  (data (i32.const 56) "off")
  (data (i32.const 64) "blinks")
  (data (i32.const 72) "name")
  (global $on (mut i32) (i32.const 0))
  (global $blinks (mut i32) (i32.const 0))

  (func $publish_led
    (if (global.get $on)
      (then (drop (call $publish (i32.const 48) (i32.const 3) (i32.const 52) (i32.const 2))))
      (else (drop (call $publish (i32.const 48) (i32.const 3) (i32.const 56) (i32.const 3))))))

  ;; "blinks" as decimal text, written backwards from byte 232.
  (func $publish_blinks (local $n i32) (local $p i32)
    (local.set $n (global.get $blinks))
    (local.set $p (i32.const 232))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (i32.ne (local.get $n) (i32.const 0))))
    (drop (call $publish (i32.const 64) (i32.const 6) (local.get $p) (i32.sub (i32.const 232) (local.get $p)))))

  (func (export "_start") (local $n i32)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 15))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (local.set $n (call $property (i32.const 72) (i32.const 4) (i32.const 256) (i32.const 256)))
    (if (i32.ge_s (local.get $n) (i32.const 0))
      (then (drop (call $publish (i32.const 72) (i32.const 4) (i32.const 256) (local.get $n)))))
    (call $publish_led)
    (call $publish_blinks)
    (call $ready))

  (func (export "tick")
    (global.set $on (i32.eqz (global.get $on)))
    (if (global.get $on) (then (global.set $blinks (i32.add (global.get $blinks) (i32.const 1)))))
    (call $publish_led)
    (call $publish_blinks)))
