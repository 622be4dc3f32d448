struct Counter {
    n: u64,
}

#[mcpwire::routes]
impl Counter {
    #[tool]
    fn bump(&mut self) -> u64 {
        self.n += 1;
        self.n
    }
}

fn main() {}
